// The record of client operations: kept for retries, forgotten after its time.
#include "store/sqlite/sqlite_clients.h"

#include <gtest/gtest.h>

#include "store/sqlite/schema.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(SqliteClientsTest, OperationsAreKeptThenPruned) {
  testing::TempDir dir;
  auto conn = SqliteConnection::Open(dir.Sub("s.db"), false);
  ASSERT_OK(conn);
  SqliteConnection* c = conn->get();
  ASSERT_OK(ApplySchema(c));
  ASSERT_OK(sqlite_clients::PutClientOp(c, 1, "client", "old", R"({"status":"applied"})", 100));
  ASSERT_OK(sqlite_clients::PutClientOp(c, 1, "client", "new", R"({"status":"applied"})", 900));
  ASSERT_OK(sqlite_clients::PutClientOp(c, 2, "client", "other-db", "{}", 100));
  auto kept = sqlite_clients::GetClientOp(c, 1, "client", "old");
  ASSERT_OK(kept);
  EXPECT_EQ(**kept, R"({"status":"applied"})");
  ASSERT_OK(sqlite_clients::PruneClientOps(c, 1, 500));
  EXPECT_FALSE(sqlite_clients::GetClientOp(c, 1, "client", "old")->has_value());
  EXPECT_TRUE(sqlite_clients::GetClientOp(c, 1, "client", "new")->has_value());
  EXPECT_TRUE(sqlite_clients::GetClientOp(c, 2, "client", "other-db")->has_value());
}

}  // namespace
}  // namespace syncline
