// Applying a version that arrives from another node: version vectors decide whether it is
// newer (apply), older or equal (nothing to do), or concurrent (a conflict).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace syncline {

// The node a synchronization comes from.
struct SyncSource {
  std::string node_id;
  std::string db;
  std::string url;
};

enum class IncomingOutcome { kApplied, kUpToDate, kConflict };
std::string_view IncomingOutcomeName(IncomingOutcome o);  // "applied", "up_to_date", "conflict"

// Decides and does, inside `txn`: applies `incoming` if it is newer than the local version (or
// concurrent but identical, merging the vectors); records a conflict if it is concurrent; does
// nothing if it is older or equal. PreconditionFailed if a lock held by someone other than the
// source guards the item; Conflicted if it is a document of a followed collection. For a file,
// the caller has checked that its chunks are stored.
Result<IncomingOutcome> ApplyIncoming(WriteTransaction& txn, Item incoming,
                                      const SyncSource& source, int64_t now_micros);

}  // namespace syncline
