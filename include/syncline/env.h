// The seam between Syncline and the machine: clock, files and randomness. Tests replace one part
// (a ManualClock, a FaultFileSystem) and keep the rest; see STYLE.md section 5.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "syncline/result.h"
#include "syncline/status.h"

namespace syncline {

// Wall time, and waiting for it. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t NowMicros() = 0;
  // Waits on `cv` (with `lock` held, as std::condition_variable does) until `done()` or until
  // NowMicros() reaches `deadline_micros`; returns done(). Code that waits for time goes
  // through here, so a test's ManualClock decides when a backoff or a period is over.
  virtual bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         int64_t deadline_micros, const std::function<bool()>& done) = 0;
};

// Cryptographically strong random bytes. Thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(void* buf, size_t n) = 0;
};

// A file opened for appending. Not thread-safe: one writer at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, counting those appended through this handle.
  virtual uint64_t Size() const = 0;
};

// A file read at offsets. Thread-safe: reads do not share a position.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly `n` bytes at `offset` into `scratch`; IOError or Corruption if short.
  virtual Status Read(uint64_t offset, size_t n, char* scratch) const = 0;
};

// A file read front to back. Not thread-safe.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes; 0 at the end of the file.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

// An exclusive lock on a file, held until the object is destroyed (or the process ends).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// Files and directories. Thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` for appending, creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) = 0;
  // Opens `path` for reading front to back; "-" is standard input.
  virtual Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) = 0;
  // Size in bytes of a regular file; InvalidArgument for anything else (a pipe, a folder).
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Writes `data` to `path` all at once: temp file, fsync, rename, fsync of the directory.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // Creates the directory and any missing parents.
  virtual Status CreateDirs(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // Removes a file or a whole tree; OK if missing.
  virtual Status RemoveAll(const std::string& path) = 0;
  // Makes the directory's entries durable: a file created (or renamed) in it survives a power
  // cut only once its directory has been synced.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive lock on `path` (created if missing); Unavailable if another process
  // (or another lock in this one) holds it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// The three parts together. Env::Default() is the real machine and lives forever.
struct Env {
  Clock* clock;
  FileSystem* fs;
  Random* random;

  static Env* Default();
};

}  // namespace syncline
