#include "sync/local_writer.h"

#include <gtest/gtest.h>

#include "sync/conflicts.h"
#include "sync/version_vector.h"
#include "testing/test_util.h"
#include "util/json.h"

namespace syncline {

class LocalWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "db", &store_));
    writer_ = std::make_unique<LocalWriter>(store_.get(), Env::Default()->clock);
  }
  uint64_t Counter(const Item& item) {
    return VersionVector::Parse(item.version_vector)->Get(store_->node_id());
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LocalWriter> writer_;
};

TEST_F(LocalWriterTest, EachWriteBumpsThisNodesCounter) {
  auto a = writer_->PutDocument("db", {"c", "k", "{}", std::nullopt});
  ASSERT_OK(a);
  EXPECT_EQ(Counter(*a), 1u);
  auto b = writer_->PutDocument("db", {"c", "k", "{\"v\":2}", std::nullopt});
  EXPECT_EQ(Counter(*b), 2u);
  auto d = writer_->Delete("db", ItemKind::kDocument, "c", "k", std::nullopt);
  ASSERT_OK(d);
  EXPECT_TRUE(d->deleted);
  EXPECT_EQ(Counter(*d), 3u);
  // A recreated document descends from its tombstone.
  auto e = writer_->PutDocument("db", {"c", "k", "{}", std::nullopt});
  EXPECT_EQ(Counter(*e), 4u);
}

TEST_F(LocalWriterTest, StaleIfMatchIsRefusedAndChangesNothing) {
  auto a = writer_->PutDocument("db", {"c", "k", "{\"v\":1}", std::nullopt});
  ASSERT_OK(a);
  auto stale = writer_->PutDocument("db", {"c", "k", "{\"v\":2}", a->etag + 5});
  EXPECT_EQ(stale.status().code(), Status::Code::kPreconditionFailed);
  auto cur = store_->GetItem("db", ItemKind::kDocument, "c", "k");
  EXPECT_EQ(cur->body, "{\"v\":1}");
  EXPECT_EQ(cur->etag, a->etag);
  EXPECT_OK(writer_->PutDocument("db", {"c", "k", "{\"v\":3}", a->etag}));
  EXPECT_EQ(writer_->PutDocument("db", {"c", "new", "{}", 1}).status().code(),
            Status::Code::kPreconditionFailed);
}

TEST_F(LocalWriterTest, BulkIsAllOrNothing) {
  auto a = writer_->PutDocument("db", {"c", "a", "{}", std::nullopt});
  auto r = writer_->PutDocuments("db", {{"c", "x", "{}", std::nullopt}, {"c", "a", "{}", 999}});
  EXPECT_EQ(r.status().code(), Status::Code::kPreconditionFailed);
  EXPECT_TRUE(store_->GetItem("db", ItemKind::kDocument, "c", "x").status().IsNotFound());
  EXPECT_EQ(store_->GetDatabase("db")->last_etag, a->etag);
}

TEST_F(LocalWriterTest, DeleteOfMissingItemIsNotFound) {
  EXPECT_TRUE(writer_->Delete("db", ItemKind::kDocument, "c", "nope", std::nullopt).status().IsNotFound());
}

TEST_F(LocalWriterTest, RenameLeavesTombstoneAndMovesContent) {
  FileContent c{3, "hash", ""};
  ASSERT_OK(writer_->CommitFile("db", "a.txt", c, R"({"k":"v"})", std::nullopt));
  auto moved = writer_->RenameFile("db", "a.txt", "b.txt", std::nullopt);
  ASSERT_OK(moved);
  EXPECT_EQ(moved->size, 3);
  EXPECT_EQ(moved->metadata, R"({"k":"v"})");
  EXPECT_TRUE(store_->GetItem("db", ItemKind::kFile, "", "a.txt")->deleted);
  ASSERT_OK(writer_->CommitFile("db", "c.txt", c, "{}", std::nullopt));
  EXPECT_EQ(writer_->RenameFile("db", "c.txt", "b.txt", std::nullopt).status().code(),
            Status::Code::kAlreadyExists);
}

TEST_F(LocalWriterTest, MetadataSetAndUnset) {
  FileContent c{3, "hash", ""};
  ASSERT_OK(writer_->CommitFile("db", "f", c, R"({"a":"1","b":"2"})", std::nullopt));
  auto item = writer_->UpdateMetadata("db", "f", {{"c", "3"}}, {"a"}, std::nullopt);
  ASSERT_OK(item);
  EXPECT_EQ(Json::parse(item->metadata), Json::parse(R"({"b":"2","c":"3"})"));
  EXPECT_EQ(item->content_hash, "hash");
}

}  // namespace syncline

namespace syncline {

// Issue 7, point 10: every kind of local write to a conflicted item, with and without saying
// that it resolves the conflict.
TEST_F(LocalWriterTest, WritesToAConflictedItemAreRefusedUnlessTheyResolveIt) {
  auto fresh_conflict = [&](const ItemRef& ref) {
    Conflict c;
    c.ref = ref;
    c.remote_url = "http://peer";
    c.remote_node = "peer";
    c.local_version = "{}";
    c.remote_version = R"({"peer":7})";
    c.remote_item.kind = ref.kind;
    c.remote_item.collection = ref.collection;
    c.remote_item.key = ref.key;
    c.remote_item.version_vector = R"({"peer":7})";
    c.remote_item.body = R"({"remote":true})";
    c.remote_item.metadata = "{}";
    ASSERT_OK(store_->Write("db", [&](WriteTransaction& txn) { return RecordConflict(txn, c); }));
  };
  ItemRef doc{ItemKind::kDocument, "c", "k"};
  ASSERT_OK(writer_->PutDocument("db", {"c", "k", "{}", std::nullopt}));
  struct Case {
    const char* name;
    std::function<Result<Item>(bool resolves)> write;
  } cases[] = {
      {"put", [&](bool r) { return writer_->PutDocument("db", {"c", "k", R"({"v":2})", std::nullopt, r}); }},
      {"delete", [&](bool r) { return writer_->Delete("db", ItemKind::kDocument, "c", "k", std::nullopt, r); }},
      {"bulk", [&](bool r) -> Result<Item> {
         SYNCLINE_ASSIGN_OR_RETURN(auto items, writer_->PutDocuments("db", {{"c", "k", "{}", std::nullopt, r}}));
         return items[0];
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_OK(writer_->PutDocument("db", {"c", "k", "{}", std::nullopt, true}));  // live again
    ASSERT_NO_FATAL_FAILURE(fresh_conflict(doc));
    int64_t before = store_->GetItem("db", ItemKind::kDocument, "c", "k")->etag;
    EXPECT_EQ(c.write(false).status().code(), Status::Code::kConflicted);
    EXPECT_EQ(store_->GetItem("db", ItemKind::kDocument, "c", "k")->etag, before) << "unchanged";
    ASSERT_TRUE(FindConflict(store_.get(), "db", doc)->has_value());
    auto written = c.write(true);
    ASSERT_OK(written);
    EXPECT_FALSE(FindConflict(store_.get(), "db", doc)->has_value()) << "resolved by the write";
    EXPECT_EQ(VersionVector::Parse(written->version_vector)->Get("peer"), 7u)
        << "the write descends from the kept-aside version, so it wins everywhere";
  }
}

}  // namespace syncline
