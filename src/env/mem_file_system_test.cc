// MemFileSystem: what a simulated power cut keeps, case by case.
#include "env/mem_file_system.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(MemFileSystemTest, APowerCutKeepsOnlyWhatWasSynced) {
  MemFileSystem fs;
  ASSERT_OK(fs.CreateDirs("d"));
  auto write = [&](const std::string& path, const std::string& data, bool sync_file) {
    auto f = fs.OpenAppendable(path);
    ASSERT_OK(f);
    ASSERT_OK((*f)->Append(data));
    if (sync_file) {
      ASSERT_OK((*f)->Sync());
    }
  };
  write("d/synced-both", "abc", true);
  write("d/unsynced-data", "xyz", false);
  ASSERT_OK(fs.SyncDir("d"));
  write("d/synced-both", "-more", false);   // appended after the sync: lost
  write("d/new-entry", "123", true);        // data synced, name never: lost
  ASSERT_OK(fs.WriteFileAtomic("d/atomic", "kept", 0644));
  ASSERT_OK(fs.Rename("d/unsynced-data", "d/renamed"));  // the rename is not durable yet

  fs.DropUnsyncedData();
  struct Case {
    const char* path;
    bool exists;
    const char* data;
  } cases[] = {
      {"d/synced-both", true, "abc"},
      {"d/unsynced-data", false, ""},
      {"d/renamed", false, ""},
      {"d/new-entry", false, ""},
      {"d/atomic", true, "kept"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(fs.Exists(c.path), c.exists) << c.path;
    if (c.exists) {
      EXPECT_EQ(*fs.ReadFile(c.path), c.data) << c.path;
    }
  }
}

TEST(MemFileSystemTest, LocksAreExclusiveUntilReleased) {
  MemFileSystem fs;
  auto first = fs.LockFile("LOCK");
  ASSERT_OK(first);
  EXPECT_EQ(fs.LockFile("LOCK").status().code(), Status::Code::kUnavailable);
  first->reset();
  EXPECT_OK(fs.LockFile("LOCK"));
}

TEST(MemFileSystemTest, ListsDirectChildrenOnly) {
  MemFileSystem fs;
  ASSERT_OK(fs.CreateDirs("a/b/c"));
  ASSERT_OK(fs.WriteFileAtomic("a/f", "x", 0644));
  ASSERT_OK(fs.WriteFileAtomic("a/b/g", "y", 0644));
  EXPECT_EQ(*fs.ListDir("a"), (std::vector<std::string>{"b", "f"}));
  ASSERT_OK(fs.RemoveAll("a/b"));
  EXPECT_FALSE(fs.Exists("a/b/g"));
  EXPECT_EQ(*fs.ListDir("a"), (std::vector<std::string>{"f"}));
}

}  // namespace
}  // namespace syncline
