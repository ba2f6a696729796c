// Destination locks: while a sync applies an item here, every other write to it is refused with
// PreconditionFailed. A lock lives in the store (item_locks), so checking and taking it
// happen in the same store transaction as the writes they guard. A lock left by a crash expires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace syncline {

// PreconditionFailed if a lock on `ref` is held by anyone but `owner` (empty: a local writer)
// and has not expired at `now`; an expired lock is removed on the way.
Status CheckItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner,
                     int64_t now_micros);

// Checks as above, then takes (or renews) the lock for `owner` until now + timeout.
Status TakeItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner,
                    int64_t now_micros, int64_t timeout_micros);

// Removes the lock if `owner` holds it.
Status ReleaseItemLock(WriteTransaction& txn, const ItemRef& ref, std::string_view owner);

}  // namespace syncline
