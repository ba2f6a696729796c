// Power cuts over the store (issue 7): pack files live on a FaultFileSystem that, at the cut,
// drops every byte and every new file name that was not synced. SQLite commits with
// synchronous=FULL on the real disk, so what survives of it is what was committed. After the
// cut and a reopen, every acknowledged file reads back whole, with every chunk's hash right.
#include <gtest/gtest.h>

#include <map>

#include "chunk/file_writer.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/fault_file_system.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(PowerCutTest, EveryAcknowledgedFileSurvivesACut) {
  testing::FaultyStore node;
  ASSERT_NO_FATAL_FAILURE(node.Open());
  std::unique_ptr<Store>& store = node.store;
  ASSERT_OK(store->CreateDatabase("db"));
  std::map<std::string, std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 8; ++i) {
      std::string name = "f" + std::to_string(i);
      std::string data = testing::RandomBytes(50000 + 70000 * i, round * 100 + i);
      ASSERT_OK(testing::WriteTestFile(store.get(), "db", name, data));
      acknowledged[name] = data;
    }
    // An upload under way when the power goes: chunks appended, never committed.
    auto w = FileWriter::Open(store.get(), "db");
    ASSERT_OK(w);
    ASSERT_OK((*w)->Append(testing::RandomBytes(3 << 20, 999 + round)));

    node.fs.DropUnsyncedData();
    w->reset();
    ASSERT_NO_FATAL_FAILURE(node.Open());
    for (const auto& [name, data] : acknowledged) {
      auto got = testing::ReadTestFile(store.get(), "db", name);
      ASSERT_TRUE(got.ok()) << got.status().ToString() << " " << name << " after cut " << round;
      EXPECT_EQ(*got == data, true) << name << " after cut " << round;
    }
  }
}

}  // namespace
}  // namespace syncline
