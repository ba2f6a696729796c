// FileSystemWrapper: forwards every call to another FileSystem, so a fake overrides only what
// it changes (LevelDB's EnvWrapper).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "syncline/env.h"

namespace syncline {

class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem* target) : target_(target) {}
  FileSystem* target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override {
    return target_->OpenAppendable(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    return target_->OpenRandomAccess(path);
  }
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override {
    return target_->OpenSequential(path);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return target_->FileSize(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return target_->Rename(from, to);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) override {
    return target_->WriteFileAtomic(path, data, mode);
  }
  Result<std::string> ReadFile(const std::string& path) override { return target_->ReadFile(path); }
  bool Exists(const std::string& path) override { return target_->Exists(path); }
  Status CreateDirs(const std::string& path) override { return target_->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return target_->ListDir(path);
  }
  Status RemoveAll(const std::string& path) override { return target_->RemoveAll(path); }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return target_->LockFile(path);
  }

 private:
  FileSystem* target_;
};

}  // namespace syncline
