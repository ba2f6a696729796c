// The schema's indexes keep statements prepared: no index on items may have a condition that
// compares a column statements bind (SQLite would re-prepare such a statement on every bind).
#include "store/sqlite/sqlite_indexes.h"

#include <gtest/gtest.h>

#include "store/sqlite/schema.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(SqliteIndexesTest, ItemStatementsAreNotReprepared) {
  testing::TempDir dir;
  auto conn = SqliteConnection::Open(dir.Sub("s.db"), false);
  ASSERT_OK(conn);
  ASSERT_OK(ApplySchema(conn->get()));
  SqliteConnection* c = conn->get();
  ASSERT_OK(c->Exec("INSERT INTO databases(id, name, created_at) VALUES (1, 'db', 0)"));
  ASSERT_OK(sqlite_indexes::CreateIndex(c, 1, "notes", "status", 0));
  ASSERT_OK(sqlite_indexes::CreateIndex(c, 1, "other", "status", 0));  // shares the index
  // The shapes of the store's hot statements: an item by key, a collection's changes.
  for (const char* sql :
       {"SELECT body FROM items WHERE db_id=? AND kind=? AND collection=? AND key=?",
        "SELECT key FROM items WHERE db_id=? AND kind=0 AND collection=? AND etag>? ORDER BY etag"}) {
    SqliteStatement* st = nullptr;
    for (int i = 0; i < 20; ++i) {
      auto p = c->Prepare(sql);
      ASSERT_OK(p);
      st = *p;
      st->Bind(1, int64_t{1 + i % 2}).Bind(2, int64_t{i % 2});
      st->Bind(3, std::string(i % 2 ? "a" : "b"));
      st->Bind(4, std::string("k") + std::to_string(i));
      ASSERT_OK(st->Step());
      st->Reset();
    }
    EXPECT_EQ(st->Reprepares(), 0) << sql;
  }
  // Dropping one collection's index keeps the shared one; dropping the last drops it.
  ASSERT_OK(sqlite_indexes::DropIndex(c, 1, "notes", "status"));
  EXPECT_OK(sqlite_indexes::FindByField(c, 1, "other", "status", "open", "", 10));
  ASSERT_OK(sqlite_indexes::DropIndex(c, 1, "other", "status"));
  auto plan = sqlite_indexes::FindByFieldPlan(c, "status");
  EXPECT_FALSE(plan.ok());  // INDEXED BY an index that is gone
}

}  // namespace
}  // namespace syncline
