// Test-only helpers: Status assertions, temporary folders, deterministic data.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "store/store.h"
#include "syncline/env.h"

#include "syncline/result.h"
#include "syncline/status.h"

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const ::syncline::Status _s = ::syncline::testing::ToStatus(expr); \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString();     \
  } while (0)
#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const ::syncline::Status _s = ::syncline::testing::ToStatus(expr); \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString();     \
  } while (0)

namespace syncline::testing {

inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}

// A fresh folder under $TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens (or reopens) a SQLite store in `dir` into *out and, unless `db` is empty, creates that
// database. Fails the test on error; call it under ASSERT_NO_FATAL_FAILURE.
void OpenTestStore(const TempDir& dir, const std::string& db, std::unique_ptr<Store>* out);

// An Env with the real clock and randomness and this file system (for FaultFileSystem).
Env EnvWith(FileSystem* fs, Clock* clock = nullptr);

// Opens (or reopens) a SQLite store in `dir` on `env` into *out.
void OpenTestStoreWithEnv(const TempDir& dir, Env* env, std::unique_ptr<Store>* out);

// Stores `data` as the file's new version, as an upload does (FileWriter, then LocalWriter),
// appending it in pieces of `piece` bytes.
Status WriteTestFile(Store* store, const std::string& db, const std::string& name,
                     std::string_view data, size_t piece = 65536);
// The file's whole content, read chunk by chunk with every chunk's hash checked.
Result<std::string> ReadTestFile(Store* store, const std::string& db, const std::string& name);

// Polls `done` every 20 ms until it holds or `seconds` pass (a bound only a broken system
// reaches: tests wait for signals this way, never for a fixed time). Returns done().
bool WaitUntil(const std::function<bool()>& done, double seconds = 10);

// `n` pseudo-random bytes from `seed` (xorshift): incompressible and repeatable.
std::string RandomBytes(size_t n, uint64_t seed);

// Peak resident memory (VmHWM) of a process, in bytes; 0 if unknown.
uint64_t PeakRssBytes(int pid);

}  // namespace syncline::testing
