// ChunkPins: reference counts per database, and the set unpinned during a collection.
#include "store/chunk_pins.h"

namespace syncline {

void ChunkPins::Pin(const std::string& db, const Sha256Digest& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  ++dbs_[db].pinned[hash];
}

void ChunkPins::Unpin(const std::string& db, const Sha256Digest& hash) {
  std::lock_guard<std::mutex> lock(mu_);
  Db& d = dbs_[db];
  auto it = d.pinned.find(hash);
  if (it == d.pinned.end()) return;
  if (--it->second == 0) d.pinned.erase(it);
  if (d.collecting) d.unpinned_since.insert(hash);
}

void ChunkPins::BeginCollection(const std::string& db) {
  std::lock_guard<std::mutex> lock(mu_);
  dbs_[db].collecting = true;
}

void ChunkPins::EndCollection(const std::string& db) {
  std::lock_guard<std::mutex> lock(mu_);
  Db& d = dbs_[db];
  d.collecting = false;
  d.unpinned_since.clear();
}

bool ChunkPins::IsProtectedLocked(const std::string& db, const Sha256Digest& hash) const {
  auto it = dbs_.find(db);
  if (it == dbs_.end()) return false;
  return it->second.pinned.count(hash) || it->second.unpinned_since.count(hash);
}

}  // namespace syncline
