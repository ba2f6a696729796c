// Conflicts kept under sync/conflict/<item> in the database configuration.
#include "sync/conflicts.h"

#include "sync/config_names.h"
#include "sync/item_json.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "util/json_reader.h"

namespace syncline {

Json ConflictToJson(const Conflict& c) {
  Json j = ItemRefToJson(c.ref);
  j["remote_url"] = c.remote_url;
  j["remote_node"] = c.remote_node;
  j["local_version"] = ParseStoredJson(c.local_version);
  j["remote_version"] = ParseStoredJson(c.remote_version);
  j["remote_item"] = ItemToJson(c.remote_item);
  j["created_at"] = c.created_at;
  return j;
}

Result<Conflict> ConflictFromJson(const Json& j) {
  Conflict c;
  SYNCLINE_ASSIGN_OR_RETURN(c.ref, ItemRefFromJson(j));
  Status read = [&]() -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* local, JsonObjectField(j, "local_version"));
    SYNCLINE_ASSIGN_OR_RETURN(const Json* remote, JsonObjectField(j, "remote_version"));
    SYNCLINE_ASSIGN_OR_RETURN(const Json* item, JsonObjectField(j, "remote_item"));
    SYNCLINE_ASSIGN_OR_RETURN(c.remote_url, JsonStringOr(j, "remote_url", ""));
    SYNCLINE_ASSIGN_OR_RETURN(c.remote_node, JsonStringOr(j, "remote_node", ""));
    SYNCLINE_ASSIGN_OR_RETURN(c.created_at, JsonIntOr(j, "created_at", 0));
    c.local_version = DumpJson(*local);
    c.remote_version = DumpJson(*remote);
    SYNCLINE_ASSIGN_OR_RETURN(c.remote_item, ItemFromJson(*item));
    return Status::OK();
  }();
  if (!read.ok()) {
    return Status::Corruption("conflict record of '" + c.ref.key + "': " + read.message());
  }
  return c;
}

Status RecordConflict(WriteTransaction& txn, const Conflict& c) {
  return txn.PutConfig(config_names::Item(config_names::kConflicts, c.ref),
                       ConflictToJson(c).dump());
}

namespace {

// A conflict record read from the configuration, or none if the read found nothing.
Result<std::optional<Conflict>> ConflictFromConfig(const Result<std::string>& text) {
  if (text.status().IsNotFound()) return std::optional<Conflict>();
  if (!text.ok()) return text.status();
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(*text));
  SYNCLINE_ASSIGN_OR_RETURN(Conflict c, ConflictFromJson(j));
  return std::optional<Conflict>(std::move(c));
}

}  // namespace

Result<std::optional<Conflict>> GetConflict(WriteTransaction& txn, const ItemRef& ref) {
  return ConflictFromConfig(txn.GetConfig(config_names::Item(config_names::kConflicts, ref)));
}

Result<std::optional<Conflict>> FindConflict(Store* store, const std::string& db,
                                             const ItemRef& ref) {
  return ConflictFromConfig(store->GetConfig(db, config_names::Item(config_names::kConflicts, ref)));
}

Result<std::vector<Conflict>> ListConflicts(Store* store, const std::string& db) {
  SYNCLINE_ASSIGN_OR_RETURN(auto entries, ListAllConfig(store, db, config_names::kConflicts));
  std::vector<Conflict> out;
  for (const ConfigEntry& e : entries) {
    SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(e.value));
    SYNCLINE_ASSIGN_OR_RETURN(Conflict c, ConflictFromJson(j));
    out.push_back(std::move(c));
  }
  return out;
}

Status CheckLocalWriteOnConflict(WriteTransaction& txn, const ItemRef& ref, bool resolves,
                                 std::string* vv) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, GetConflict(txn, ref));
  if (!conflict) return Status::OK();
  if (!resolves) {
    return Status::Conflicted(
        std::string(ItemKindName(ref.kind)) + " '" + ref.key +
        "' is conflicted: resolve it (`syncline conflicts resolve ... --keep remote|current`), "
        "or write again saying that this write resolves it (?resolve=1, --resolve)");
  }
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector merged, VersionVector::Parse(*vv));
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector remote,
                            VersionVector::Parse(conflict->remote_item.version_vector));
  merged.Merge(remote);
  *vv = merged.ToJson();
  return txn.DeleteConfig(config_names::Item(config_names::kConflicts, ref));
}

Result<Resolution> ResolveConflict(Store* store, Clock* clock, const std::string& db,
                                   const ItemRef& ref, KeepVersion keep,
                                   std::optional<int64_t> if_match) {
  Resolution out;
  SYNCLINE_RETURN_IF_ERROR(store->Write(db, [&](WriteTransaction& txn) -> Status {
    int64_t now = clock->NowMicros();
    SYNCLINE_RETURN_IF_ERROR(CheckItemLock(txn, ref, "", now));
    SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, GetConflict(txn, ref));
    if (!conflict) {
      return Status::NotFound(std::string(ItemKindName(ref.kind)) + " '" + ref.key +
                              "' has no conflict");
    }
    SYNCLINE_ASSIGN_OR_RETURN(Item current, txn.Get(ref.kind, ref.collection, ref.key));
    if (if_match && current.etag != *if_match) {
      return Status::PreconditionFailed(
          "the current version of '" + ref.key + "' changed since etag " +
          std::to_string(*if_match) + " (it is now " + std::to_string(current.etag) +
          "): look at the conflict again before resolving it");
    }
    SYNCLINE_ASSIGN_OR_RETURN(VersionVector vv, VersionVector::Parse(current.version_vector));
    SYNCLINE_ASSIGN_OR_RETURN(VersionVector remote,
                              VersionVector::Parse(conflict->remote_item.version_vector));
    vv.Merge(remote);
    vv.Bump(store->node_id());
    bool keep_remote = keep == KeepVersion::kRemote;
    out.kept = keep_remote ? conflict->remote_item : current;
    out.discarded = keep_remote ? current : conflict->remote_item;
    out.kept.version_vector = vv.ToJson();
    out.kept.updated_at = now;
    SYNCLINE_RETURN_IF_ERROR(txn.Put(&out.kept));
    return txn.DeleteConfig(config_names::Item(config_names::kConflicts, ref));
  }));
  return out;
}

}  // namespace syncline
