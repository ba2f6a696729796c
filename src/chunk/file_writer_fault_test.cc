// A fault matrix over a file upload (issue 7): fail the 0th, 1st, 2nd... file system call of
// replacing a file until the upload gets through. Every failed run must leave the previous
// version current and readable whole, and the next run must still succeed. (SQLite's own I/O
// does not go through the Env; its transactions are all or nothing by themselves.)
#include <gtest/gtest.h>

#include "testing/fault_file_system.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(FileWriterFaultTest, EveryFailedUploadLeavesThePreviousVersionWhole) {
  testing::FaultyStore node;
  ASSERT_NO_FATAL_FAILURE(node.Open());
  std::unique_ptr<Store>& store = node.store;
  testing::FaultFileSystem& fs = node.fs;
  ASSERT_OK(store->CreateDatabase("db"));
  const std::string v1 = testing::RandomBytes(700000, 1);
  ASSERT_OK(testing::WriteTestFile(store.get(), "db", "f", v1));
  const std::string v2 = testing::RandomBytes(900000, 2);

  int failed_runs = 0;
  for (int64_t n = 0;; ++n) {
    ASSERT_LT(n, 10000) << "the upload never got through";
    fs.FailAt(n);
    Status s = testing::WriteTestFile(store.get(), "db", "f", v2, 100000);
    bool injected = fs.failed();
    fs.Heal();
    if (s.ok()) {
      EXPECT_FALSE(injected) << "a run that hit a fault must not report success";
      break;
    }
    ++failed_runs;
    EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
    auto current = testing::ReadTestFile(store.get(), "db", "f");
    ASSERT_TRUE(current.ok()) << current.status().ToString() << " " << "after failing call " << n;
    ASSERT_TRUE(*current == v1) << "after failing call " << n << ": not the previous version";
    // And a power cut right after the failure loses nothing acknowledged either.
    fs.DropUnsyncedData();
    ASSERT_NO_FATAL_FAILURE(node.Open());
    ASSERT_TRUE(*testing::ReadTestFile(store.get(), "db", "f") == v1) << "after cut " << n;
  }
  EXPECT_GT(failed_runs, 3) << "the matrix must cover several calls";
  auto final_content = testing::ReadTestFile(store.get(), "db", "f");
  ASSERT_OK(final_content);
  EXPECT_TRUE(*final_content == v2);
}

}  // namespace
}  // namespace syncline
