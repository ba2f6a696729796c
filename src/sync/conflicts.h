// Conflicts: an item whose local and incoming version vectors are concurrent. The item stays as
// it is, the incoming version is kept aside here, and a person (or policy) resolves it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "syncline/env.h"
#include "util/json.h"

namespace syncline {

struct Conflict {
  ItemRef ref;
  std::string remote_url;   // the source that sent the incoming version
  std::string remote_node;  // its node id
  std::string local_version;   // version vector JSON of the local item when the conflict arose
  std::string remote_version;  // version vector JSON of the incoming item
  Item remote_item;            // the incoming version, kept aside
  int64_t created_at = 0;
};

// The store's form of a conflict, and back (Corruption if the kept item is damaged).
ConflictRecord ConflictToRecord(const Conflict& c);
Result<Conflict> ConflictFromRecord(const ConflictRecord& r);

// Stores (or replaces) the conflict of c.ref.
Status RecordConflict(WriteTransaction& txn, const Conflict& c);
Result<std::optional<Conflict>> GetConflict(WriteTransaction& txn, const ItemRef& ref);
Result<std::optional<Conflict>> FindConflict(Store* store, const std::string& db,
                                             const ItemRef& ref);
// All conflicts of the database, in item order.
Result<std::vector<Conflict>> ListConflicts(Store* store, const std::string& db);

enum class KeepVersion { kRemote, kCurrent };

struct Resolution {
  Item kept;       // the item as it now is
  Item discarded;  // the side that lost (for a current one: as it was, with its etag)
};

// Resolves the conflict on `ref`: the kept version becomes the item, with a version vector that
// descends from both sides (bumped for this node), so it wins everywhere it travels. NotFound
// if the item has no conflict; PreconditionFailed if a sync holds its lock, or if `if_match`
// is set and the current version's etag is another (it changed since the caller looked).
Result<Resolution> ResolveConflict(Store* store, Clock* clock, const std::string& db,
                                   const ItemRef& ref, KeepVersion keep,
                                   std::optional<int64_t> if_match = std::nullopt);

// The Conflicted status of a report whose item was settled as a conflict ("file x is
// conflicted"), and of a local write refused because its item is conflicted (says how to
// resolve). One wording each, wherever they arise.
Status ConflictedReport(const ItemRef& ref);
Status ConflictedWrite(const ItemRef& ref);

// Inside a local write to `ref`: Conflicted if the item holds a conflict, unless `resolves`,
// in which case the conflict record goes and `*vv` (the new version's vector, before this
// node's bump) takes in the kept-aside version, so the write descends from both sides.
Status CheckLocalWriteOnConflict(WriteTransaction& txn, const ItemRef& ref, bool resolves,
                                 std::string* vv);

}  // namespace syncline
