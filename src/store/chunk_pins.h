// ChunkPins: the chunks garbage collection must keep although no committed item names them:
// those of an upload or a sync in progress (stored before the item that names them commits)
// and those of a file being read (its version may be replaced meanwhile). While a collection
// of a database runs, every chunk unpinned is remembered too: an item committed after the
// collection's snapshot names only chunks that were pinned (uploads, syncs) or that items in
// the snapshot named, so "in the snapshot, pinned, or unpinned since" covers every live chunk.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "util/sha256.h"

namespace syncline {

// Thread-safe.
class ChunkPins {
 public:
  void Pin(const std::string& db, const Sha256Digest& hash);
  void Unpin(const std::string& db, const Sha256Digest& hash);

  // A collection of `db` begins or ends (one at a time per database: the caller serializes).
  void BeginCollection(const std::string& db);
  void EndCollection(const std::string& db);

  // Whether `hash` is pinned now or was unpinned since the collection began.
  // REQUIRES: mu() held, so nothing can be pinned between this check and what the caller does.
  bool IsProtectedLocked(const std::string& db, const Sha256Digest& hash) const;
  std::mutex& mu() { return mu_; }

 private:
  struct Db {
    std::map<Sha256Digest, int> pinned;
    bool collecting = false;
    std::set<Sha256Digest> unpinned_since;
  };
  std::mutex mu_;
  std::map<std::string, Db> dbs_;  // GUARDED_BY(mu_)
};

// Holds pins on a set of chunks for its lifetime.
class PinnedChunks {
 public:
  PinnedChunks(ChunkPins* pins, std::string db) : pins_(pins), db_(std::move(db)) {}
  PinnedChunks(const PinnedChunks&) = delete;
  PinnedChunks& operator=(const PinnedChunks&) = delete;
  ~PinnedChunks() {
    for (const auto& h : hashes_) pins_->Unpin(db_, h);
  }
  void Add(const Sha256Digest& hash) {
    pins_->Pin(db_, hash);
    hashes_.push_back(hash);
  }

 private:
  ChunkPins* pins_;
  std::string db_;
  std::vector<Sha256Digest> hashes_;
};

}  // namespace syncline
