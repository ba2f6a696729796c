// MemFileSystem: a map of paths to shared file buffers.
#include "env/mem_file_system.h"

#include <algorithm>

namespace syncline {

namespace {

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

Status NoFile(const std::string& path) { return Status::NotFound(path + ": no such file"); }

}  // namespace

struct MemFileSystem::File {
  std::mutex mu;
  std::string data;         // GUARDED_BY(mu)
  size_t synced = 0;        // GUARDED_BY(mu): bytes a power cut keeps
  bool entry_synced = false;  // GUARDED_BY(MemFileSystem::mu_): the directory entry is durable
};

namespace {

class MemWritableFile : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<MemFileSystem::File> f) : f_(std::move(f)) {}
  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(f_->mu);
    f_->data.append(data);
    return Status::OK();
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(f_->mu);
    f_->synced = f_->data.size();
    return Status::OK();
  }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(f_->mu);
    return f_->data.size();
  }

 private:
  std::shared_ptr<MemFileSystem::File> f_;
};

class MemRandomAccessFile : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, std::shared_ptr<MemFileSystem::File> f)
      : path_(std::move(path)), f_(std::move(f)) {}
  Status Read(uint64_t offset, size_t n, char* scratch) const override {
    std::lock_guard<std::mutex> lock(f_->mu);
    if (offset > f_->data.size() || f_->data.size() - offset < n) {
      return Status::Corruption("read " + path_ + ": file is shorter than expected");
    }
    std::copy_n(f_->data.data() + offset, n, scratch);
    return Status::OK();
  }

 private:
  std::string path_;
  std::shared_ptr<MemFileSystem::File> f_;
};

class MemSequentialFile : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<MemFileSystem::File> f) : f_(std::move(f)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    std::lock_guard<std::mutex> lock(f_->mu);
    size_t k = std::min(n, f_->data.size() - std::min(pos_, f_->data.size()));
    std::copy_n(f_->data.data() + pos_, k, buf);
    pos_ += k;
    return k;
  }

 private:
  std::shared_ptr<MemFileSystem::File> f_;
  size_t pos_ = 0;
};

class MemFileLock : public FileLock {
 public:
  MemFileLock(std::mutex* mu, std::set<std::string>* locked, std::string path)
      : mu_(mu), locked_(locked), path_(std::move(path)) {}
  ~MemFileLock() override {
    std::lock_guard<std::mutex> lock(*mu_);
    locked_->erase(path_);
  }

 private:
  std::mutex* mu_;
  std::set<std::string>* locked_;
  std::string path_;
};

}  // namespace

std::shared_ptr<MemFileSystem::File> MemFileSystem::Find(const std::string& path) {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::OpenAppendable(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(ParentOf(path))) return Status::NotFound(ParentOf(path) + ": no such folder");
  auto& f = files_[path];
  if (!f) f = std::make_shared<File>();
  return std::unique_ptr<WritableFile>(new MemWritableFile(f));
}

Result<std::unique_ptr<RandomAccessFile>> MemFileSystem::OpenRandomAccess(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = Find(path);
  if (!f) return NoFile(path);
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(path, f));
}

Result<std::unique_ptr<SequentialFile>> MemFileSystem::OpenSequential(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = Find(path);
  if (!f) return NoFile(path);
  return std::unique_ptr<SequentialFile>(new MemSequentialFile(f));
}

Result<uint64_t> MemFileSystem::FileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = Find(path);
  if (!f) return NoFile(path);
  std::lock_guard<std::mutex> file_lock(f->mu);
  return static_cast<uint64_t>(f->data.size());
}

Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = Find(from);
  if (!f) return NoFile(from);
  files_.erase(from);
  f->entry_synced = false;  // a rename is durable only once its directory is synced
  files_[to] = f;
  return Status::OK();
}

Status MemFileSystem::WriteFileAtomic(const std::string& path, std::string_view data, int) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(ParentOf(path))) return Status::NotFound(ParentOf(path) + ": no such folder");
  auto f = std::make_shared<File>();
  f->data = std::string(data);
  f->synced = f->data.size();
  f->entry_synced = true;  // temp file, fsync, rename, fsync of the directory
  files_[path] = f;
  return Status::OK();
}

Result<std::string> MemFileSystem::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = Find(path);
  if (!f) return NoFile(path);
  std::lock_guard<std::mutex> file_lock(f->mu);
  return f->data;
}

bool MemFileSystem::Exists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) || dirs_.count(path);
}

Status MemFileSystem::CreateDirs(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t at = 0; at != std::string::npos;) {
    at = path.find('/', at + 1);
    std::string prefix = path.substr(0, at);
    if (!prefix.empty()) dirs_.insert(prefix);
  }
  dirs_.insert(".");
  return Status::OK();
}

Result<std::vector<std::string>> MemFileSystem::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!dirs_.count(path)) return Status::NotFound(path + ": no such folder");
  std::set<std::string> names;
  auto child = [&](const std::string& p) {
    if (ParentOf(p) == path) names.insert(p.substr(path.size() + 1));
  };
  for (const auto& [p, f] : files_) child(p);
  for (const auto& d : dirs_) {
    if (d != path) child(d);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Status MemFileSystem::RemoveAll(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto under = [&](const std::string& p) { return p == path || p.rfind(path + "/", 0) == 0; };
  for (auto it = files_.begin(); it != files_.end();) it = under(it->first) ? files_.erase(it) : std::next(it);
  for (auto it = dirs_.begin(); it != dirs_.end();) it = under(*it) ? dirs_.erase(it) : std::next(it);
  return Status::OK();
}

Status MemFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [p, f] : files_) {
    if (ParentOf(p) == dir) f->entry_synced = true;
  }
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> MemFileSystem::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!locked_.insert(path).second) return Status::Unavailable(path + " is locked");
  return std::unique_ptr<FileLock>(new MemFileLock(&mu_, &locked_, path));
}

void MemFileSystem::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    if (!it->second->entry_synced) {
      it = files_.erase(it);
      continue;
    }
    std::lock_guard<std::mutex> file_lock(it->second->mu);
    it->second->data.resize(it->second->synced);
    ++it;
  }
}

}  // namespace syncline
