#include "sync/collection_rules.h"

#include "sync/config_names.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string ConfigName(const std::string& collection) {
  return config_names::kCollectionRules + collection;
}

Result<RulesRecord> DecodeRecord(const std::string& text) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJsonObject(text));
  RulesRecord r;
  SYNCLINE_ASSIGN_OR_RETURN(r.schema_version, JsonInt(j, "schema_version"));
  r.rules = j.contains("rules") ? j["rules"] : Json();
  return r;
}

Result<RulesRecord> RecordOrEmpty(Result<std::string> text) {
  if (text.status().IsNotFound()) return RulesRecord{};
  if (!text.ok()) return text.status();
  return DecodeRecord(*text);
}

}  // namespace

Result<CollectionRules> ParseRules(const Json& rules) {
  if (!rules.is_object()) return Status::InvalidArgument("rules must be a JSON object");
  CollectionRules out;
  for (auto& [key, value] : rules.items()) {
    if (key == "validate") {
      SYNCLINE_ASSIGN_OR_RETURN(Filter f, Filter::Parse(value));
      out.validate = std::move(f);
    } else if (key == "immutable") {
      if (!value.is_array()) {
        return Status::InvalidArgument("'immutable' must be an array of field paths");
      }
      for (const Json& path : value) {
        SYNCLINE_ASSIGN_OR_RETURN(std::string p, JsonAsString(path, "an immutable field"));
        if (p.empty()) return Status::InvalidArgument("an immutable field path is empty");
        out.immutable.push_back(std::move(p));
      }
    } else if (key == "allow_delete") {
      if (!value.is_boolean()) return Status::InvalidArgument("'allow_delete' must be true or false");
      out.allow_delete = value.get<bool>();
    } else {
      return Status::InvalidArgument("unknown rule '" + key +
                                     "': rules take validate, immutable and allow_delete");
    }
  }
  return out;
}

Status CheckDocumentWrite(const CollectionRules& rules, const Json* current, const Json* next) {
  if (!next) {
    if (!rules.allow_delete) {
      return Status::ValidationFailed("the collection's rules do not allow deletes");
    }
    return Status::OK();
  }
  if (rules.validate && !rules.validate->Matches(*next)) {
    std::optional<Json> failed = rules.validate->FirstFailure(*next);
    return Status::ValidationFailed("the document does not match the collection's rule " +
                                    DumpJson(failed ? *failed : rules.validate->json()));
  }
  if (current) {
    for (const std::string& path : rules.immutable) {
      const Json* before = FindPath(*current, path);
      if (!before) continue;  // not set yet: this write may set it
      const Json* after = FindPath(*next, path);
      if (!after || *after != *before) {
        return Status::ValidationFailed("field '" + path + "' is immutable: it was " +
                                        DumpJson(*before) + " and may not change");
      }
    }
  }
  return Status::OK();
}

Result<RulesRecord> GetRules(Store* store, const std::string& db, const std::string& collection) {
  return RecordOrEmpty(store->GetConfig(db, ConfigName(collection)));
}

Result<RulesRecord> GetRules(WriteTransaction& txn, const std::string& collection) {
  return RecordOrEmpty(txn.GetConfig(ConfigName(collection)));
}

Result<RulesRecord> SetRules(Store* store, const std::string& db, const std::string& collection,
                             const Json& rules) {
  if (!rules.is_null()) SYNCLINE_RETURN_IF_ERROR(ParseRules(rules).status());
  RulesRecord out;
  SYNCLINE_RETURN_IF_ERROR(store->Write(db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(RulesRecord old, GetRules(txn, collection));
    out = RulesRecord{rules, old.schema_version + 1};
    return txn.PutConfig(ConfigName(collection),
                         DumpJson({{"rules", out.rules}, {"schema_version", out.schema_version}}));
  }));
  return out;
}

Status RulesCheck::Load(const std::string& collection) {
  if (rules_ && collection_ == collection) return Status::OK();
  rules_.reset();
  SYNCLINE_ASSIGN_OR_RETURN(RulesRecord record, GetRules(txn_, collection));
  if (record.rules.is_null()) {
    rules_.emplace(std::nullopt);
  } else {
    Result<CollectionRules> parsed = ParseRules(record.rules);
    if (!parsed.ok()) {
      return Status::Corruption("stored rules of collection '" + collection +
                                "' do not parse: " + parsed.status().message());
    }
    rules_.emplace(std::move(*parsed));
  }
  collection_ = collection;
  return Status::OK();
}

Result<bool> RulesCheck::Has(const std::string& collection) {
  SYNCLINE_RETURN_IF_ERROR(Load(collection));
  return rules_->has_value();
}

Status RulesCheck::Check(const std::string& collection, const Json* current, const Json* next) {
  SYNCLINE_RETURN_IF_ERROR(Load(collection));
  if (!*rules_) return Status::OK();
  return CheckDocumentWrite(**rules_, current, next);
}

}  // namespace syncline
