// PackFiles: append-only files that hold chunk bytes, one folder per database.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "syncline/env.h"

namespace syncline {

// Where a chunk's bytes are: pack number, offset and length inside it.
struct PackLocation {
  int64_t pack = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
};

// Each database appends to one current pack (packs/<db_id>/<n>.pack) until it passes
// kMaxPackBytes; a process never appends to a pack an earlier process wrote, so a crash leaves
// at most unreferenced bytes at the end of a pack. Thread-safe.
class PackFiles {
 public:
  static constexpr uint64_t kMaxPackBytes = 1ull << 30;

  PackFiles(Env* env, std::string root) : env_(env), root_(std::move(root)) {}

  Result<PackLocation> Append(int64_t db_id, std::string_view data);
  // Makes every byte appended so far for the database durable.
  Status Sync(int64_t db_id);
  // Replaces *out with the bytes at `loc`.
  Status Read(int64_t db_id, const PackLocation& loc, std::string* out);
  // Forgets the database's packs and removes its folder.
  Status Drop(int64_t db_id);

  // Garbage collection's view. A pack is busy while it is the one appended to, or while bytes
  // appended to it are not indexed yet (Append counts them; Settled uncounts them once their
  // rows are committed, or once their writer gave them up): a busy pack is never compacted.
  void Settled(int64_t db_id, int64_t pack);
  // Stops appending to `pack` if it is the current one and no append is pending there, so it
  // can be compacted. False if it stays busy.
  bool Seal(int64_t db_id, int64_t pack);
  bool IsBusy(int64_t db_id, int64_t pack);
  // The database's pack numbers and file sizes.
  Result<std::vector<std::pair<int64_t, uint64_t>>> List(int64_t db_id);
  // Removes a pack file no row points into any more.
  Status Delete(int64_t db_id, int64_t pack);

 private:
  struct DbPacks {
    std::mutex mu;  // guards writer and pack
    std::unique_ptr<WritableFile> writer;
    int64_t pack = 0;
    std::map<int64_t, std::shared_ptr<RandomAccessFile>> readers;  // GUARDED_BY(mu)
    std::map<int64_t, int64_t> pending;  // GUARDED_BY(mu): unindexed appends per pack
  };

  std::shared_ptr<DbPacks> PacksFor(int64_t db_id);
  std::string DirOf(int64_t db_id) const;
  std::string PathOf(int64_t db_id, int64_t pack) const;
  // REQUIRES: p->mu held.
  Status OpenNextPack(int64_t db_id, DbPacks* p);

  Env* const env_;
  const std::string root_;
  std::mutex mu_;  // guards dbs_
  std::map<int64_t, std::shared_ptr<DbPacks>> dbs_;
};

}  // namespace syncline
