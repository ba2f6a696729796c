// Conflicts kept in the store's conflicts table.
#include "sync/conflicts.h"

#include "sync/item_json.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "util/json_reader.h"

namespace syncline {

ConflictRecord ConflictToRecord(const Conflict& c) {
  return {c.ref,           c.remote_url,   c.remote_node, c.local_version,
          c.remote_version, DumpJson(ItemToJson(c.remote_item)), c.created_at};
}

Result<Conflict> ConflictFromRecord(const ConflictRecord& r) {
  Conflict c;
  c.ref = r.ref;
  c.remote_url = r.remote_url;
  c.remote_node = r.remote_node;
  c.local_version = r.local_version;
  c.remote_version = r.remote_version;
  c.created_at = r.created_at;
  Result<Item> item = ItemFromJson(ParseStoredJson(r.remote_item));
  if (!item.ok()) {
    return Status::Corruption("conflict record of '" + r.ref.key + "': " + item.status().message());
  }
  c.remote_item = std::move(*item);
  return c;
}

Status RecordConflict(WriteTransaction& txn, const Conflict& c) {
  return txn.PutConflict(ConflictToRecord(c));
}

namespace {

Result<std::optional<Conflict>> FromOptionalRecord(const std::optional<ConflictRecord>& r) {
  if (!r) return std::optional<Conflict>();
  SYNCLINE_ASSIGN_OR_RETURN(Conflict c, ConflictFromRecord(*r));
  return std::optional<Conflict>(std::move(c));
}

}  // namespace

Result<std::optional<Conflict>> GetConflict(WriteTransaction& txn, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<ConflictRecord> r, txn.GetConflict(ref));
  return FromOptionalRecord(r);
}

Result<std::optional<Conflict>> FindConflict(Store* store, const std::string& db,
                                             const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<ConflictRecord> r, store->GetConflict(db, ref));
  return FromOptionalRecord(r);
}

Result<std::vector<Conflict>> ListConflicts(Store* store, const std::string& db) {
  constexpr int64_t kPage = 1000;
  std::vector<Conflict> out;
  std::optional<ItemRef> after;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<ConflictRecord> page,
                              store->ListConflicts(db, after ? &*after : nullptr, kPage));
    for (const ConflictRecord& r : page) {
      SYNCLINE_ASSIGN_OR_RETURN(Conflict c, ConflictFromRecord(r));
      out.push_back(std::move(c));
    }
    if (static_cast<int64_t>(page.size()) < kPage) return out;
    after = page.back().ref;
  }
}

Status ConflictedReport(const ItemRef& ref) {
  return Status::Conflicted(std::string(ItemKindName(ref.kind)) + " " + ref.key + " is conflicted");
}

Status ConflictedWrite(const ItemRef& ref) {
  return Status::Conflicted(
      std::string(ItemKindName(ref.kind)) + " '" + ref.key +
      "' is conflicted: resolve it (`syncline conflicts resolve ... --keep remote|current`), "
      "or write again saying that this write resolves it (?resolve=1, --resolve)");
}

Status CheckLocalWriteOnConflict(WriteTransaction& txn, const ItemRef& ref, bool resolves,
                                 std::string* vv) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, GetConflict(txn, ref));
  if (!conflict) return Status::OK();
  if (!resolves) return ConflictedWrite(ref);
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector merged, VersionVector::Parse(*vv));
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector remote,
                            VersionVector::Parse(conflict->remote_item.version_vector));
  merged.Merge(remote);
  *vv = merged.ToJson();
  return txn.DeleteConflict(ref);
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
    return txn.DeleteConflict(ref);
  }));
  return out;
}

}  // namespace syncline
