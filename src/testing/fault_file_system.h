// FaultFileSystem: a MemFileSystem that fails on command, for fault matrices and power cuts
// (LevelDB's fault_injection_test, RocksDB's FaultInjectionTestFS). It counts every call that
// touches files (opening, appending, syncing, reading, listing, renaming...): FailAt(n) fails the
// n-th such call from now on (0: the next one) and every call after it, until Heal(); so an
// operation fails at one point and cannot half-recover behind the test's back.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "env/file_system_wrapper.h"
#include "env/mem_file_system.h"
#include "testing/test_util.h"

namespace syncline::testing {

// Thread-safe.
class FaultFileSystem : public FileSystemWrapper {
 public:
  FaultFileSystem() : FileSystemWrapper(&mem_) {}

  // Fails the n-th call from now and all calls after it with IOError.
  void FailAt(int64_t n) {
    calls_ = 0;
    fail_at_ = n;
  }
  // Fails every call while set.
  void SetFailing(bool failing) { fail_at_ = failing ? 0 : -1, calls_ = 0; }
  void Heal() { fail_at_ = -1; }
  // Calls counted since the last FailAt (or since the start).
  int64_t calls() const { return calls_; }
  bool failed() const { return fail_at_ >= 0 && calls_ > fail_at_; }
  // A power cut: see MemFileSystem::DropUnsyncedData.
  void DropUnsyncedData() { mem_.DropUnsyncedData(); }

  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> OpenSequential(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  // IOError if this call is one that must fail. Used by the file handles too.
  Status Check(const char* what);

 private:
  MemFileSystem mem_;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> fail_at_{-1};
};

// A SQLite store in a fresh folder whose pack files live on a FaultFileSystem.
struct FaultyStore {
  TempDir dir;
  FaultFileSystem fs;
  Env env = EnvWith(&fs);
  std::unique_ptr<Store> store;

  // (Re)opens the store, as a restart does. Call under ASSERT_NO_FATAL_FAILURE.
  void Open() { OpenTestStoreWithEnv(dir, &env, &store); }
};

}  // namespace syncline::testing
