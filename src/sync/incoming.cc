// ApplyIncoming: the version-vector decision of the destination side.
#include "sync/incoming.h"

#include "sync/conflicts.h"
#include "sync/follow_guard.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

// Whether two versions hold the same data, so their concurrency is no real conflict (say two
// nodes deleted the same item).
bool SameData(const Item& a, const Item& b) {
  if (a.deleted || b.deleted) return a.deleted && b.deleted;
  if (a.kind == ItemKind::kFile) {
    return a.content_hash == b.content_hash &&
           ParseStoredJson(a.metadata) == ParseStoredJson(b.metadata);
  }
  return ParseStoredJson(a.body) == ParseStoredJson(b.body);
}

}  // namespace

std::string_view IncomingOutcomeName(IncomingOutcome o) {
  switch (o) {
    case IncomingOutcome::kApplied:
      return "applied";
    case IncomingOutcome::kUpToDate:
      return "up_to_date";
    case IncomingOutcome::kConflict:
      return "conflict";
  }
  return "unknown";
}

Result<IncomingOutcome> ApplyIncoming(WriteTransaction& txn, Item incoming,
                                      const SyncSource& source, int64_t now_micros) {
  ItemRef ref = incoming.ref();
  SYNCLINE_RETURN_IF_ERROR(CheckNotFollowed(txn, ref));
  SYNCLINE_RETURN_IF_ERROR(CheckItemLock(txn, ref, source.node_id, now_micros));
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector theirs, VersionVector::Parse(incoming.version_vector));
  Result<Item> current = txn.Get(ref.kind, ref.collection, ref.key);
  if (!current.ok() && !current.status().IsNotFound()) return current.status();
  VersionVector ours;
  if (current.ok()) {
    SYNCLINE_ASSIGN_OR_RETURN(ours, VersionVector::Parse(current->version_vector));
  }
  switch (theirs.CompareTo(ours)) {
    case VersionVector::Order::kEqual:
    case VersionVector::Order::kOlder:
      return IncomingOutcome::kUpToDate;
    case VersionVector::Order::kNewer: {
      SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> conflict, GetConflict(txn, ref));
      if (conflict) {
        // A version that descends from the one kept aside settles the conflict.
        SYNCLINE_ASSIGN_OR_RETURN(VersionVector kept,
                                  VersionVector::Parse(conflict->remote_version));
        auto order = theirs.CompareTo(kept);
        if (order == VersionVector::Order::kNewer || order == VersionVector::Order::kEqual) {
          SYNCLINE_RETURN_IF_ERROR(txn.DeleteConflict(ref));
        } else {
          conflict->local_version = incoming.version_vector;
          SYNCLINE_RETURN_IF_ERROR(RecordConflict(txn, *conflict));
        }
      }
      SYNCLINE_RETURN_IF_ERROR(txn.Put(&incoming));
      return IncomingOutcome::kApplied;
    }
    case VersionVector::Order::kConcurrent:
      break;
  }
  if (SameData(*current, incoming)) {
    ours.Merge(theirs);
    incoming.version_vector = ours.ToJson();
    SYNCLINE_RETURN_IF_ERROR(txn.Put(&incoming));
    return IncomingOutcome::kApplied;
  }
  Conflict c;
  c.ref = ref;
  c.remote_url = source.url;
  c.remote_node = source.node_id;
  c.local_version = current->version_vector;
  c.remote_version = incoming.version_vector;
  c.remote_item = std::move(incoming);
  c.created_at = now_micros;
  SYNCLINE_RETURN_IF_ERROR(RecordConflict(txn, c));
  return IncomingOutcome::kConflict;
}

}  // namespace syncline
