#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "testing/test_util.h"

namespace syncline {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// Commits never checkpoint themselves: the thread copies the WAL into the database file once
// it passes kWakePages, and what was committed reads back after a reopen.
TEST(WalCheckpointerTest, TheThreadCopiesTheWalIntoTheDatabase) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/db.sqlite";
  auto writer = SqliteConnection::Open(path, true);
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)"));
  auto checkpointer = WalCheckpointer::Start(path, writer->get());
  ASSERT_OK(checkpointer);
  const int64_t empty = FileSize(path);
  // About 5,000 pages of 4 KiB, in commits of 500 pages.
  const std::string blob(4000, 'x');
  for (int commit = 0; commit < 10; ++commit) {
    ASSERT_OK((*writer)->Exec("BEGIN"));
    auto st = (*writer)->Prepare("INSERT INTO t (v) VALUES (?)");
    ASSERT_OK(st);
    for (int i = 0; i < 500; ++i) ASSERT_OK((*st)->BindBlob(1, blob).Run());
    ASSERT_OK((*writer)->Exec("COMMIT"));
  }
  // Waits for the signal (a checkpoint counted), bounded so a broken hook fails, not hangs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((*checkpointer)->TEST_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE((*checkpointer)->TEST_checkpoints(), 1);
  EXPECT_GT(FileSize(path), empty + 4000 * 4096);  // the pages reached the database file
  checkpointer->reset();
  writer->reset();
  auto reopened = SqliteConnection::Open(path, true);
  ASSERT_OK(reopened);
  auto count = (*reopened)->Prepare("SELECT count(*) FROM t");
  ASSERT_OK(count);
  ASSERT_TRUE((*count)->Step().value());
  EXPECT_EQ((*count)->Int(0), 5000);
  (*count)->Reset();
}

}  // namespace
}  // namespace syncline
