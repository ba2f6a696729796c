// The maintained collection trees against a recomputation from the documents: after a seeded
// random run of puts, updates, deletes, failed transactions and reopens, every tree equals the
// one built from scratch, and snapshots read it consistently while writers go on.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <map>
#include <random>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_tree.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

class SqliteTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_OK(store_->CreateDatabase("db"));
  }
  void Reopen() {
    store_.reset();
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "", &store_));
  }
  static Item Doc(const std::string& collection, const std::string& key, const std::string& body,
                  bool deleted = false) {
    Item i;
    i.collection = collection;
    i.key = key;
    i.body = body;
    i.version_vector = R"({"n":)" + std::to_string(body.size()) + "}";
    i.deleted = deleted;
    return i;
  }
  Status Put(std::vector<Item> items) {
    return store_->Write("db", [&](WriteTransaction& txn) {
      for (auto& i : items) SYNCLINE_RETURN_IF_ERROR(txn.Put(&i));
      return Status::OK();
    });
  }
  // The root summary a from-scratch build of `docs` gives.
  static TreeSum Expected(const std::map<std::string, Item>& docs) {
    TreeSum s;
    for (const auto& [key, d] : docs) {
      if (!d.deleted) s.Add(TreeDocumentHash(d.key, d.version_vector, d.body));
    }
    return s;
  }
  TreeSum Root(const std::string& collection) {
    auto snap = store_->OpenSnapshot("db");
    EXPECT_TRUE(snap.ok()) << snap.status().ToString();
    auto root = (*snap)->TreeRoot(collection);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return root.ok() ? *root : TreeSum{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteTreeTest, RandomWritesFailuresAndReopensKeepTheTreeExact) {
  const char* env_seed = std::getenv("SYNCLINE_SEED");
  uint32_t seed = env_seed ? static_cast<uint32_t>(std::atoi(env_seed)) : 7;
  SCOPED_TRACE("SYNCLINE_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  std::map<std::string, std::map<std::string, Item>> model;  // collection -> key -> doc
  const std::vector<std::string> collections = {"a", "b"};
  for (int step = 0; step < 400; ++step) {
    int op = rng() % 20;
    if (op == 0) {
      ASSERT_NO_FATAL_FAILURE(Reopen());
      continue;
    }
    std::vector<Item> batch;
    int n = 1 + rng() % 8;
    for (int i = 0; i < n; ++i) {
      const std::string& c = collections[rng() % collections.size()];
      std::string key = "k" + std::to_string(rng() % 60);
      bool del = rng() % 4 == 0;
      batch.push_back(Doc(c, key, del ? "" : R"({"v":)" + std::to_string(rng() % 1000) + "}", del));
    }
    if (op == 1) {
      // A transaction that fails after its puts changes nothing, its tree rows included.
      Status s = store_->Write("db", [&](WriteTransaction& txn) {
        for (auto& i : batch) SYNCLINE_RETURN_IF_ERROR(txn.Put(&i));
        return Status::Unavailable("injected");
      });
      ASSERT_EQ(s.code(), Status::Code::kUnavailable);
    } else {
      ASSERT_OK(Put(batch));
      for (const Item& d : batch) model[d.collection][d.key] = d;
    }
  }
  for (const std::string& c : collections) {
    EXPECT_EQ(Root(c), Expected(model[c])) << c;
    EXPECT_EQ(Root(c).count(), Expected(model[c]).count()) << c;
  }
  auto checks = store_->CheckTrees("db", "", /*repair=*/false);
  ASSERT_OK(checks);
  ASSERT_EQ(checks->size(), collections.size());
  for (const TreeCheck& c : *checks) {
    EXPECT_TRUE(c.ok()) << c.collection << " " << c.wrong_documents << " " << c.wrong_nodes;
  }
}

TEST_F(SqliteTreeTest, ChildrenAndEntriesAgreeWithTheRoot) {
  std::vector<Item> docs;
  for (int i = 0; i < 500; ++i) docs.push_back(Doc("c", "k" + std::to_string(i), "{}"));
  ASSERT_OK(Put(docs));
  auto snap = store_->OpenSnapshot("db");
  ASSERT_OK(snap);
  auto root = (*snap)->TreeRoot("c");
  ASSERT_OK(root);
  EXPECT_EQ(root->count(), 500);
  // Summing every level's nodes gives the root; the leaves' entries are every document once.
  std::vector<TreeNode> level = {TreeNode{}};
  for (int l = 0; l < kTreeDepth; ++l) {
    std::vector<TreeNode> next;
    TreeSum total;
    for (const TreeNode& n : level) {
      auto children = (*snap)->TreeChildren("c", n);
      ASSERT_OK(children);
      for (int i = 0; i < kTreeFanout; ++i) {
        total.Merge((*children)[i]);
        if ((*children)[i].count() > 0) next.push_back(n.Child(i));
      }
    }
    EXPECT_EQ(total, *root) << "level " << l + 1;
    level = next;
  }
  int64_t entries = 0;
  TreeSum from_entries;
  for (const TreeNode& leaf : level) {
    auto e = (*snap)->TreeEntries("c", leaf);
    ASSERT_OK(e);
    for (const TreeEntry& t : *e) {
      EXPECT_EQ(NodeOfKeyHash(TreeKeyHash(t.key), kTreeDepth), leaf);
      from_entries.Add(t.hash);
      ++entries;
    }
  }
  EXPECT_EQ(entries, 500);
  EXPECT_EQ(from_entries, *root);
  EXPECT_FALSE((*snap)->TreeChildren("c", TreeNode{kTreeDepth, 0}).ok());
}

TEST_F(SqliteTreeTest, SnapshotDoesNotSeeLaterWrites) {
  ASSERT_OK(Put({Doc("c", "a", "{}")}));
  auto snap = store_->OpenSnapshot("db");
  ASSERT_OK(snap);
  int64_t etag = (*snap)->etag();
  TreeSum before = *(*snap)->TreeRoot("c");
  ASSERT_OK(Put({Doc("c", "b", "{}"), Doc("c", "a", "{}", true)}));
  EXPECT_EQ((*snap)->etag(), etag);
  EXPECT_EQ(*(*snap)->TreeRoot("c"), before);
  auto docs = (*snap)->Documents("c", {"a", "b", "zz"});
  ASSERT_OK(docs);
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].key, "a");
  snap->reset();
  EXPECT_NE(Root("c"), before);
}

TEST_F(SqliteTreeTest, CheckFindsAndRepairsADamagedTree) {
  std::vector<Item> docs;
  for (int i = 0; i < 50; ++i) docs.push_back(Doc("c", "k" + std::to_string(i), "{}"));
  ASSERT_OK(Put(docs));
  TreeSum good = Root("c");
  // Damage behind the store's back: one node's sum and one document's hash.
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/syncline.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE tree_nodes SET count=count+1 WHERE level=3 AND prefix=(SELECT "
                         "min(prefix) FROM tree_nodes WHERE level=3);"
                         "UPDATE tree_nodes SET count=count+1 WHERE level=2 AND prefix=(SELECT "
                         "min(prefix) FROM tree_nodes WHERE level=2);"
                         "UPDATE items SET tree_hash=zeroblob(32) WHERE key='k7';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_NE(Root("c"), good);
  auto check = store_->CheckTrees("db", "c", /*repair=*/false);
  ASSERT_OK(check);
  ASSERT_EQ(check->size(), 1u);
  EXPECT_EQ((*check)[0].documents, 50);
  EXPECT_EQ((*check)[0].wrong_documents, 1);
  EXPECT_EQ((*check)[0].wrong_nodes, 2);
  EXPECT_FALSE((*check)[0].repaired);
  auto repair = store_->CheckTrees("db", "c", /*repair=*/true);
  ASSERT_OK(repair);
  EXPECT_TRUE((*repair)[0].repaired);
  EXPECT_EQ(Root("c"), good);
  auto again = store_->CheckTrees("db", "c", /*repair=*/false);
  ASSERT_OK(again);
  EXPECT_TRUE((*again)[0].ok());
  // An update after the repair keeps the tree exact.
  ASSERT_OK(Put({Doc("c", "k7", R"({"x":1})")}));
  auto after = store_->CheckTrees("db", "c", /*repair=*/false);
  ASSERT_OK(after);
  EXPECT_TRUE((*after)[0].ok());
}

TEST_F(SqliteTreeTest, StagedDocumentsAreListedInKeyOrderAndDropped) {
  std::vector<Item> staged = {Doc("", "b", "{}"), Doc("", "a", R"({"x":1})"),
                              Doc("", "c", "", true)};
  ASSERT_OK(store_->StageDocuments("db", "job1", staged));
  ASSERT_OK(store_->StageDocuments("db", "job2", {Doc("", "z", "{}")}));
  std::vector<Item> got;
  ASSERT_OK(store_->Write("db", [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(got, txn.ListStaged("job1", "", 10));
    return Status::OK();
  }));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].key, "a");
  EXPECT_EQ(got[0].body, R"({"x":1})");
  EXPECT_TRUE(got[2].deleted);
  ASSERT_OK(store_->DropStage("db", "job1"));
  ASSERT_OK(store_->Write("db", [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(got, txn.ListStaged("job1", "", 10));
    return Status::OK();
  }));
  EXPECT_TRUE(got.empty());
  // Staging takes no etag.
  EXPECT_EQ(store_->GetDatabase("db")->last_etag, 0);
}


// Summing the leaves under a differing node is most of an incremental sync's work: it must read
// the index alone, never a document row per document.
TEST_F(SqliteTreeTest, LeafSumsReadOnlyTheCoveringIndex) {
  ASSERT_OK(Put({Doc("c", "a", "{}"), Doc("c", "b", "{}")}));
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/syncline.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string sql = std::string("EXPLAIN QUERY PLAN ") + sqlite_tree::kSumLeavesSql;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    plan += "\n";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_NE(plan.find("COVERING INDEX items_by_key_hash"), std::string::npos) << plan;
}

}  // namespace
}  // namespace syncline
