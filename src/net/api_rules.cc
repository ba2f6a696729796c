// Collection rules over the API (docs/API.md, "Collection rules").
#include "net/api.h"
#include "sync/collection_rules.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

ApiResponse RulesAnswer(const std::string& collection, const RulesRecord& r) {
  return ApiResponse::Json(200, DumpJson({{"collection", collection},
                                          {"rules", r.rules},
                                          {"schema_version", r.schema_version}}));
}

}  // namespace

ApiResponse Api::GetCollectionRules(const ApiCall& c) {
  if (auto info = store_->GetDatabase(c.db); !info.ok()) return ApiResponse::Error(info.status());
  Result<RulesRecord> r = GetRules(store_, c.db, c.collection);
  if (!r.ok()) return ApiResponse::Error(r.status());
  return RulesAnswer(c.collection, *r);
}

ApiResponse Api::SetCollectionRules(const ApiCall& c) {
  Result<Json> rules = ParseJsonObject(c.req.body);
  if (!rules.ok()) return ApiResponse::Error(rules.status());
  Result<RulesRecord> r = SetRules(store_, c.db, c.collection, *rules);
  if (!r.ok()) return ApiResponse::Error(r.status());
  return RulesAnswer(c.collection, *r);
}

ApiResponse Api::RemoveCollectionRules(const ApiCall& c) {
  Result<RulesRecord> r = SetRules(store_, c.db, c.collection, Json());
  if (!r.ok()) return ApiResponse::Error(r.status());
  return RulesAnswer(c.collection, *r);
}

}  // namespace syncline
