// Finding where a replica's copy of a collection differs from the master's: top-down over the
// two collection trees (`merkle`, the default), or by the seed's sorted key lists exchanged in
// chunks (`keys`, kept to compare against). Both read the two sides through CollectionSource.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "replicate/collection_source.h"

namespace syncline {

// The keys to bring over: `fetch` the master has live and the replica lacks or holds in
// another state; `remove` the replica holds live and the master does not. Both sorted.
struct CollectionDiff {
  std::vector<std::string> fetch;
  std::vector<std::string> remove;
  int64_t nodes_compared = 0;    // tree nodes (merkle) or chunks (keys) compared
  int64_t entries_compared = 0;  // key and digest pairs compared

  bool empty() const { return fetch.empty() && remove.empty(); }
};

// Adds to *out the differences between two lists of entries in key order.
void DiffEntries(const std::vector<KeyVersion>& master, const std::vector<KeyVersion>& replica,
                 CollectionDiff* out);

// Called between steps; a non-OK status (cancelled, out of time) stops the comparison with it.
using KeepGoing = std::function<Status()>;

// Nodes whose two sides together hold at most this many documents are listed rather than
// descended: one round of entries costs less than the levels below.
inline constexpr int64_t kListNodesUpTo = 64;

Result<CollectionDiff> DiffByTree(CollectionSource& master, CollectionSource& replica,
                                  const KeepGoing& keep_going);

inline constexpr int64_t kKeyChunkSize = 5000;

Result<CollectionDiff> DiffByKeys(CollectionSource& master, CollectionSource& replica,
                                  const KeepGoing& keep_going, int64_t chunk_size = kKeyChunkSize);

}  // namespace syncline
