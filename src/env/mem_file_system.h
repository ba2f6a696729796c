// MemFileSystem: files and directories in memory (LevelDB's memenv). It remembers what was
// synced, so DropUnsyncedData() can show what a power cut would leave: files whose directory
// entry was never synced vanish, the others keep only the bytes up to their last Sync.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "syncline/env.h"

namespace syncline {

// Thread-safe.
class MemFileSystem : public FileSystem {
 public:
  struct File;

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) override;
  Result<std::string> ReadFile(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // Simulates a power cut: drops every file whose directory entry was not synced since it was
  // created or renamed, and every byte appended to a file after its last Sync. Open handles
  // keep working on what is left.
  void DropUnsyncedData();

 private:
  std::shared_ptr<File> Find(const std::string& path);  // REQUIRES: mu_ held

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<File>> files_;  // GUARDED_BY(mu_)
  std::set<std::string> dirs_;                          // GUARDED_BY(mu_)
  std::set<std::string> locked_;                        // GUARDED_BY(mu_)
};

}  // namespace syncline
