// Schema 03 moves sync state out of `config` into tables of their own: opening a data folder
// written by the previous version (schema 2, its config rows as that version wrote them)
// migrates every kind of entry, and keeps configuration in `config`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/schema_files.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

// Writes a version-2 store the way the previous version left it.
void MakeVersion2Store(const std::string& dir) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/syncline.db").c_str(), &db), SQLITE_OK);
  auto exec = [&](const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    ASSERT_EQ(rc, SQLITE_OK) << (err ? err : "") << "\n" << sql.substr(0, 200);
  };
  for (const SchemaFile& f : kSchemaFiles) {
    if (f.number <= 2) {
      ASSERT_NO_FATAL_FAILURE(exec(f.sql));
    }
  }
  const char* kVv = R"({"11111111-1111-1111-1111-111111111111":2})";
  std::string remote_item =
      R"({"kind":"document","collection":"c","key":"k","version_vector":{"peer":3},)"
      R"("deleted":false,"updated_at":5,"body":{"from":"peer"}})";
  std::string conflict = R"({"kind":"document","collection":"c","key":"k","remote_url":"http://peer",)"
                         R"("remote_node":"peer","local_version":)" + std::string(kVv) +
                         R"(,"remote_version":{"peer":3},"remote_item":)" + remote_item +
                         R"(,"created_at":77})";
  std::string report = R"({"name":"f.bin","kind":"file","collection":null,"etag":4,"type":"content-update",)"
                       R"("error":null,"bytes_transferred":100,"bytes_copied":5,"need_list_length":2,)"
                       R"("source_node":"me","source_url":"http://me","destination_url":"http://peer",)"
                       R"("started_at":10,"finished_at":20})";
  std::string finished = R"({"name":"k","kind":"document","collection":"c","etag":9,"type":"content-update",)"
                         R"("error":"document k is conflicted","bytes_transferred":12,"bytes_copied":0,)"
                         R"("need_list_length":0,"source_node":"peer","source_url":"http://peer",)"
                         R"("destination_url":"http://me","started_at":30,"finished_at":40})";
  auto q = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  ASSERT_NO_FATAL_FAILURE(exec(
      "INSERT INTO node VALUES ('node_id', 'me'), ('schema_version', '2');"
      "INSERT INTO databases (id, name, last_etag, created_at) VALUES (1, 'db', 9, 1);"
      "INSERT INTO config VALUES "
      "(1, 'sync/destination/http://peer', " + q(R"({"url":"http://peer","remote_db":"db","remote_key":"k","enabled":true})") + "),"
      "(1, 'sync/report/f//f.bin', " + q(report) + "),"
      "(1, 'sync/finished/d/c/k', " + q(finished) + "),"
      "(1, 'sync/conflict/d/c/k', " + q(conflict) + "),"
      "(1, 'sync/lock/f//dir/f.bin', " + q(R"({"owner":"peer","expires_at":123})") + "),"
      "(1, 'sync/source/peer-node/db', " + q(R"({"last_etag":17})") + "),"
      "(1, 'sync/confirm/http://peer', " +
          q(R"([{"kind":"file","key":"f.bin"},{"kind":"document","collection":"c","key":"k"}])") + ");"));
  sqlite3_close(db);
}

TEST(MigrationTest, Version2SyncStateMovesToItsTables) {
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(MakeVersion2Store(dir.path()));
  auto opened = OpenSqliteStore(dir.path(), Env::Default(), {});
  ASSERT_OK(opened);
  Store& store = **opened;
  EXPECT_EQ(store.node_id(), "me");

  auto out = store.GetReport("db", ReportDirection::kOutgoing, {ItemKind::kFile, "", "f.bin"});
  ASSERT_OK(out);
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((*out)->etag, 4);
  EXPECT_EQ((*out)->bytes_transferred, 100);
  EXPECT_EQ((*out)->need_list_length, 2);
  EXPECT_EQ((*out)->error_code, "");
  EXPECT_EQ((*out)->finished_at, 20);
  auto in = store.ListReports("db", ReportDirection::kIncoming, 0, 10);
  ASSERT_OK(in);
  ASSERT_EQ(in->total, 1);
  EXPECT_EQ(in->reports[0].ref, (ItemRef{ItemKind::kDocument, "c", "k"}));
  EXPECT_EQ(in->reports[0].error_code, "conflicted") << "the old text becomes its code";
  EXPECT_EQ(in->reports[0].error_message, "document k is conflicted");

  auto conflict = store.GetConflict("db", {ItemKind::kDocument, "c", "k"});
  ASSERT_OK(conflict);
  ASSERT_TRUE(conflict->has_value());
  EXPECT_EQ((*conflict)->remote_url, "http://peer");
  EXPECT_EQ((*conflict)->created_at, 77);
  EXPECT_NE((*conflict)->remote_item.find("\"peer\""), std::string::npos);

  EXPECT_EQ(*store.GetSourceEtag("db", "peer-node", "db"), 17);
  auto confirm = store.GetConfirmations("db", "http://peer");
  ASSERT_OK(confirm);
  EXPECT_EQ(*confirm, (std::vector<ItemRef>{{ItemKind::kDocument, "c", "k"},
                                            {ItemKind::kFile, "", "f.bin"}}));
  ASSERT_OK(store.Write("db", [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(auto lock, txn.GetLock({ItemKind::kFile, "", "dir/f.bin"}));
    EXPECT_TRUE(lock.has_value());
    if (lock) {
      EXPECT_EQ(lock->owner, "peer");
      EXPECT_EQ(lock->expires_at, 123);
    }
    return Status::OK();
  }));

  // Configuration stays; the moved entries are gone from it.
  auto config = ListAllConfig(&store, "db", "");
  ASSERT_OK(config);
  ASSERT_EQ(config->size(), 1u);
  EXPECT_EQ((*config)[0].name, "sync/destination/http://peer");
}

// Reopening a migrated store applies nothing twice.
TEST(MigrationTest, ReopeningAMigratedStoreKeepsItsState) {
  testing::TempDir dir;
  ASSERT_NO_FATAL_FAILURE(MakeVersion2Store(dir.path()));
  { ASSERT_OK(OpenSqliteStore(dir.path(), Env::Default(), {})); }
  auto again = OpenSqliteStore(dir.path(), Env::Default(), {});
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->GetSourceEtag("db", "peer-node", "db"), 17);
  EXPECT_EQ((*again)->ListReports("db", ReportDirection::kIncoming, 0, 10)->total, 1);
}

// Schema 04 adds collection trees: documents written by the previous version get their hashes
// and their collections' trees when the store opens, tombstones and files none.
TEST(MigrationTest, Version3DocumentsGetTheirTrees) {
  testing::TempDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/syncline.db").c_str(), &db), SQLITE_OK);
    std::string sql;
    for (const SchemaFile& f : kSchemaFiles) {
      if (f.number <= 3) sql += f.sql;
    }
    sql += "INSERT INTO node VALUES ('node_id', 'me'), ('schema_version', '3');"
           "INSERT INTO databases (id, name, last_etag, created_at) VALUES (1, 'db', 4, 1);"
           "INSERT INTO items (db_id, kind, collection, key, etag, version_vector, deleted, "
           "updated_at, body) VALUES "
           "(1, 0, 'c', 'a', 1, '{\"me\":1}', 0, 1, '{\"x\":1}'),"
           "(1, 0, 'c', 'b', 2, '{\"me\":2}', 0, 1, '{}'),"
           "(1, 0, 'c', 'gone', 3, '{\"me\":3}', 1, 1, NULL),"
           "(1, 1, '', 'f.bin', 4, '{\"me\":4}', 0, 1, NULL);";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto opened = OpenSqliteStore(dir.path(), Env::Default(), {});
  ASSERT_OK(opened);
  auto snap = (*opened)->OpenSnapshot("db");
  ASSERT_OK(snap);
  auto root = (*snap)->TreeRoot("c");
  ASSERT_OK(root);
  TreeSum expected;
  expected.Add(TreeDocumentHash("a", R"({"me":1})", R"({"x":1})"));
  expected.Add(TreeDocumentHash("b", R"({"me":2})", "{}"));
  EXPECT_EQ(*root, expected);
  snap->reset();
  auto checks = (*opened)->CheckTrees("db", "", false);
  ASSERT_OK(checks);
  ASSERT_EQ(checks->size(), 1u);
  EXPECT_TRUE((*checks)[0].ok());
}

// Schema 09 rebuilds client_ops without a rowid: the results a version-8 store kept still
// answer a retried push.
TEST(MigrationTest, Version8ClientOperationsAreKept) {
  testing::TempDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/syncline.db").c_str(), &db), SQLITE_OK);
    std::string sql;
    for (const SchemaFile& f : kSchemaFiles) {
      if (f.number <= 8) sql += f.sql;
    }
    sql += "INSERT INTO node VALUES ('node_id', 'me'), ('schema_version', '8');"
           "INSERT INTO databases (id, name, last_etag, created_at) VALUES (1, 'db', 0, 1);"
           "INSERT INTO client_ops VALUES (1, 'c1', 'op-1', '{\"status\":\"applied\"}', 5);";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto opened = OpenSqliteStore(dir.path(), Env::Default(), {});
  ASSERT_OK(opened);
  ASSERT_OK((*opened)->Write("db", [](WriteTransaction& txn) -> Status {
    auto kept = txn.GetClientOp("c1", "op-1");
    EXPECT_TRUE(kept.ok() && kept->has_value());
    if (kept.ok() && kept->has_value()) {
      EXPECT_EQ(**kept, R"({"status":"applied"})");
    }
    EXPECT_FALSE(txn.GetClientOp("c1", "op-2").value().has_value());
    return Status::OK();
  }));
}

}  // namespace
}  // namespace syncline
