// FaultFileSystem: every call is counted and may fail; file handles check too.
#include "testing/fault_file_system.h"

namespace syncline::testing {

namespace {

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem* fs, std::unique_ptr<WritableFile> f)
      : fs_(fs), f_(std::move(f)) {}
  Status Append(std::string_view data) override {
    SYNCLINE_RETURN_IF_ERROR(fs_->Check("append"));
    return f_->Append(data);
  }
  Status Sync() override {
    SYNCLINE_RETURN_IF_ERROR(fs_->Check("sync"));
    return f_->Sync();
  }
  Status Close() override { return f_->Close(); }
  uint64_t Size() const override { return f_->Size(); }

 private:
  FaultFileSystem* fs_;
  std::unique_ptr<WritableFile> f_;
};

class FaultRandomAccessFile : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultFileSystem* fs, std::unique_ptr<RandomAccessFile> f)
      : fs_(fs), f_(std::move(f)) {}
  Status Read(uint64_t offset, size_t n, char* scratch) const override {
    SYNCLINE_RETURN_IF_ERROR(fs_->Check("read"));
    return f_->Read(offset, n, scratch);
  }

 private:
  FaultFileSystem* fs_;
  std::unique_ptr<RandomAccessFile> f_;
};

}  // namespace

Status FaultFileSystem::Check(const char* what) {
  int64_t n = calls_++;
  int64_t at = fail_at_;
  if (at >= 0 && n >= at) return Status::IOError(std::string("injected fault: ") + what);
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> FaultFileSystem::OpenAppendable(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("open for append"));
  SYNCLINE_ASSIGN_OR_RETURN(auto f, FileSystemWrapper::OpenAppendable(path));
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, std::move(f)));
}

Result<std::unique_ptr<RandomAccessFile>> FaultFileSystem::OpenRandomAccess(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("open for read"));
  SYNCLINE_ASSIGN_OR_RETURN(auto f, FileSystemWrapper::OpenRandomAccess(path));
  return std::unique_ptr<RandomAccessFile>(new FaultRandomAccessFile(this, std::move(f)));
}

Result<std::unique_ptr<SequentialFile>> FaultFileSystem::OpenSequential(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("open"));
  return FileSystemWrapper::OpenSequential(path);
}

Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  SYNCLINE_RETURN_IF_ERROR(Check("rename"));
  return FileSystemWrapper::Rename(from, to);
}

Status FaultFileSystem::WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  SYNCLINE_RETURN_IF_ERROR(Check("write file"));
  return FileSystemWrapper::WriteFileAtomic(path, data, mode);
}

Result<std::string> FaultFileSystem::ReadFile(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("read file"));
  return FileSystemWrapper::ReadFile(path);
}

Status FaultFileSystem::CreateDirs(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("create dirs"));
  return FileSystemWrapper::CreateDirs(path);
}

Result<std::vector<std::string>> FaultFileSystem::ListDir(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("list dir"));
  return FileSystemWrapper::ListDir(path);
}

Status FaultFileSystem::RemoveAll(const std::string& path) {
  SYNCLINE_RETURN_IF_ERROR(Check("remove"));
  return FileSystemWrapper::RemoveAll(path);
}

Status FaultFileSystem::SyncDir(const std::string& dir) {
  SYNCLINE_RETURN_IF_ERROR(Check("sync dir"));
  return FileSystemWrapper::SyncDir(dir);
}

}  // namespace syncline::testing
