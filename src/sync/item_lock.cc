// Item locks stored as {"owner": node_id, "expires_at": micros} under sync/lock/<item>.
#include "sync/item_lock.h"

#include "sync/config_names.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

struct HeldLock {
  std::string owner;
  int64_t expires_at = 0;
};

// The live lock on `ref`, if any; an expired one is deleted.
Result<std::optional<HeldLock>> LiveLock(WriteTransaction& txn, const ItemRef& ref,
                                         int64_t now) {
  std::string name = config_names::Item(config_names::kLocks, ref);
  Result<std::string> text = txn.GetConfig(name);
  if (text.status().IsNotFound()) return std::optional<HeldLock>();
  if (!text.ok()) return text.status();
  Json j = ParseStoredJson(*text);
  Result<std::string> owner = JsonString(j, "owner");
  Result<int64_t> expires_at = JsonInt(j, "expires_at");
  if (!owner.ok() || !expires_at.ok()) {
    return Status::Corruption("lock record of '" + ref.key + "' is damaged");
  }
  HeldLock lock{*owner, *expires_at};
  if (lock.expires_at <= now) {
    SYNCLINE_RETURN_IF_ERROR(txn.DeleteConfig(name));
    return std::optional<HeldLock>();
  }
  return std::optional<HeldLock>(lock);
}

}  // namespace

Status CheckItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner,
                     int64_t now_micros) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<HeldLock> lock, LiveLock(txn, ref, now_micros));
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
  Json j = {{"owner", owner}, {"expires_at", now_micros + timeout_micros}};
  return txn.PutConfig(config_names::Item(config_names::kLocks, ref), j.dump());
}

Status ReleaseItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner) {
  std::string name = config_names::Item(config_names::kLocks, ref);
  Result<std::string> text = txn.GetConfig(name);
  if (text.status().IsNotFound()) return Status::OK();
  if (!text.ok()) return text.status();
  Result<std::string> held_by = JsonString(ParseStoredJson(*text), "owner");
  if (held_by.ok() && *held_by != owner) return Status::OK();  // a damaged lock goes too
  return txn.DeleteConfig(name);
}

}  // namespace syncline
