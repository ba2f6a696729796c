// Field indexes over the API (docs/API.md, "Indexes"): create, list, drop.
#include "net/api.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

Json IndexJson(const FieldIndex& i) {
  return {{"collection", i.collection}, {"field", i.field}, {"created_at", i.created_at}};
}

}  // namespace

ApiResponse Api::ListIndexes(const ApiCall& c) {
  Result<std::vector<FieldIndex>> all = store_->ListFieldIndexes(c.db);
  if (!all.ok()) return ApiResponse::Error(all.status());
  Json out = Json::array();
  for (const FieldIndex& i : *all) out.push_back(IndexJson(i));
  return ApiResponse::Json(200, DumpJson(out));
}

ApiResponse Api::CreateIndex(const ApiCall& c) {
  if (Status s = store_->CreateFieldIndex(c.db, c.collection, c.rest); !s.ok()) {
    return ApiResponse::Error(s);
  }
  return ApiResponse::Json(201, DumpJson({{"collection", c.collection}, {"field", c.rest}}));
}

ApiResponse Api::DropIndex(const ApiCall& c) {
  if (Status s = store_->DropFieldIndex(c.db, c.collection, c.rest); !s.ok()) {
    return ApiResponse::Error(s);
  }
  return ApiResponse::Json(200, DumpJson({{"collection", c.collection}, {"field", c.rest},
                                          {"deleted", true}}));
}

}  // namespace syncline
