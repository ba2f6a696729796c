// Collection sync (seed 004): bringing one collection of a replica's database to the state of
// the master's, read from a snapshot of the master so that the master keeps taking writes.
// Full: every document of the master, replacing the collection. Incremental: only where the two
// differ, found by the trees (`merkle`) or by sorted key lists (`keys`). Either way the replica
// receives into a stage and changes in one transaction at the end: before it, readers see the
// old collection whole; after it, the new one whole; a failure leaves it as it was.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "replicate/collection_apply.h"
#include "replicate/collection_diff.h"
#include "replicate/collection_source.h"
#include "store/store.h"

namespace syncline {

enum class CollectionSyncMethod { kFull, kMerkle, kKeys };

std::string_view CollectionSyncMethodName(CollectionSyncMethod m);  // full, merkle, keys
// InvalidArgument for an unknown name.
Result<CollectionSyncMethod> ParseCollectionSyncMethod(std::string_view name);

struct CollectionSyncProgress {
  std::string phase;       // comparing, fetching, applying
  int64_t documents = 0;   // documents received from the master so far
};
using CollectionSyncProgressFn = std::function<void(const CollectionSyncProgress&)>;

struct CollectionSyncResult {
  CollectionSyncMethod method = CollectionSyncMethod::kMerkle;
  int64_t master_etag = 0;  // the master's etag at its snapshot: later changes are not in
  ApplyCounts counts;
  int64_t documents_transferred = 0;
  int64_t nodes_compared = 0;
  int64_t entries_compared = 0;
};

// Documents per page of a full sync's transfer.
inline constexpr int64_t kFullSyncPage = 5000;

// Brings `collection` of `db` to `master`'s state, staging under `stage` (a job id). Calls
// `keep_going` between steps (its error stops the sync, the collection unchanged) and
// `progress` as documents arrive.
Result<CollectionSyncResult> RunCollectionSync(Store* store, const std::string& db,
                                               const std::string& collection,
                                               const std::string& stage,
                                               CollectionSyncMethod method,
                                               CollectionSource& master,
                                               const KeepGoing& keep_going,
                                               const CollectionSyncProgressFn& progress);

}  // namespace syncline
