// Garbage collection of chunks: chunks nothing references any more (replaced versions, deleted
// files, failed uploads, aborted syncs, leftovers of rebuilt chunks) are reclaimed by
// compacting the pack files that hold them. Live chunks are those named by a file's manifest or
// by a conflict's kept-aside version, in one snapshot, plus those the store's ChunkPins protect
// (uploads and syncs in progress, readers, and everything unpinned since the collection began).
// docs/ARCHITECTURE.md says why this is safe.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace syncline {

struct GcOptions {
  // Compact a pack once this share of its bytes is garbage (0: any garbage at all).
  double min_garbage_ratio = 0.5;
};

struct ChunkStats {
  int64_t chunks = 0;         // stored chunks
  int64_t live_chunks = 0;
  uint64_t live_bytes = 0;    // bytes of live chunks
  uint64_t disk_bytes = 0;    // bytes of pack files
  uint64_t garbage_bytes = 0;  // disk_bytes - live_bytes
  // The bytes the live files' manifests name, a chunk named twice counted twice: over
  // live_bytes, how much identical content saves.
  uint64_t referenced_bytes = 0;
  int64_t packs = 0;
  // Set by CollectGarbage: what it did.
  int64_t packs_compacted = 0;
  uint64_t bytes_reclaimed = 0;
};

// The database's chunk use, without changing anything.
Result<ChunkStats> GetChunkStats(Store* store, const std::string& db);

// Compacts every pack whose garbage reaches the ratio; returns the stats after. One collection
// per database at a time (a second one waits). A pack that is busy, or in which a chunk about
// to go was pinned meanwhile, is left for the next collection.
Result<ChunkStats> CollectGarbage(Store* store, const std::string& db, const GcOptions& options);

}  // namespace syncline
