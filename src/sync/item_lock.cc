// Item locks in the store's item_locks table.
#include "sync/item_lock.h"

namespace syncline {

namespace {

// The live lock on `ref`, if any; an expired one is deleted.
Result<std::optional<LockRecord>> LiveLock(WriteTransaction& txn, const ItemRef& ref,
                                           int64_t now) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<LockRecord> lock, txn.GetLock(ref));
  if (lock && lock->expires_at <= now) {
    SYNCLINE_RETURN_IF_ERROR(txn.DeleteLock(ref));
    return std::optional<LockRecord>();
  }
  return lock;
}

}  // namespace

Status CheckItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner,
                     int64_t now_micros) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<LockRecord> lock, LiveLock(txn, ref, now_micros));
  if (lock && lock->owner != owner) {
    return Status::PreconditionFailed(std::string(ItemKindName(ref.kind)) + " '" + ref.key +
                                      "' is locked by a synchronization from node " +
                                      lock->owner);
  }
  return Status::OK();
}

Status TakeItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner,
                    int64_t now_micros, int64_t timeout_micros) {
  SYNCLINE_RETURN_IF_ERROR(CheckItemLock(txn, ref, owner, now_micros));
  return txn.PutLock(ref, {std::string(owner), now_micros + timeout_micros});
}

Status ReleaseItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<LockRecord> lock, txn.GetLock(ref));
  if (!lock || lock->owner != owner) return Status::OK();
  return txn.DeleteLock(ref);
}

}  // namespace syncline
