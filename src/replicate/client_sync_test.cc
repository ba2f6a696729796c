// The server side of the client protocol without sockets: the decisions as tables, pulls with
// filters and their changes, pushes with per-operation results and retries.
#include <gtest/gtest.h>

#include "replicate/client_cursor.h"
#include "replicate/client_pull.h"
#include "replicate/client_push.h"
#include "replicate/client_registry.h"
#include "sync/collection_rules.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(ClientPushTest, DecisionTable) {
  struct Case {
    const char* name;
    PushKind kind;
    std::optional<int64_t> base;
    ServerDocument doc;
    PushOutcome want;
  };
  const ServerDocument none{false, false, 0}, live{true, false, 7}, gone{true, true, 9};
  const Case cases[] = {
      {"create of a new key", PushKind::kCreate, std::nullopt, none, PushOutcome::kApply},
      {"create over a tombstone", PushKind::kCreate, std::nullopt, gone, PushOutcome::kApply},
      {"create over a live document", PushKind::kCreate, std::nullopt, live, PushOutcome::kConflict},
      {"update on the current etag", PushKind::kUpdate, 7, live, PushOutcome::kApply},
      {"update on an older etag", PushKind::kUpdate, 6, live, PushOutcome::kConflict},
      {"update of a deleted document", PushKind::kUpdate, 7, gone, PushOutcome::kConflict},
      {"update of an unknown document", PushKind::kUpdate, 7, none, PushOutcome::kNotFound},
      {"delete on the current etag", PushKind::kDelete, 7, live, PushOutcome::kApply},
      {"delete on an older etag", PushKind::kDelete, 5, live, PushOutcome::kConflict},
      {"delete of a deleted document", PushKind::kDelete, 3, gone, PushOutcome::kDone},
      {"delete of an unknown document", PushKind::kDelete, 3, none, PushOutcome::kDone},
  };
  for (const Case& c : cases) EXPECT_EQ(DecidePush(c.kind, c.base, c.doc), c.want) << c.name;
}

TEST(ClientPullTest, ClassificationTables) {
  struct Change {
    bool deleted, selected, initial;
    PullAction want;
  };
  const Change changes[] = {
      {false, true, false, PullAction::kPut},    {false, true, true, PullAction::kPut},
      {false, false, false, PullAction::kGone},  {false, false, true, PullAction::kSkip},
      {true, false, false, PullAction::kDelete}, {true, false, true, PullAction::kSkip},
  };
  for (const Change& c : changes) {
    EXPECT_EQ(ClassifyChange(c.deleted, c.selected, c.initial), c.want)
        << c.deleted << c.selected << c.initial;
  }
  struct Transition {
    bool was, now, fields_changed;
    PullAction want;
  };
  const Transition transitions[] = {
      {false, true, false, PullAction::kPut},  {true, false, false, PullAction::kGone},
      {true, true, false, PullAction::kSkip},  {true, true, true, PullAction::kPut},
      {false, false, false, PullAction::kSkip}, {false, false, true, PullAction::kSkip},
  };
  for (const Transition& t : transitions) {
    EXPECT_EQ(ClassifyTransition(t.was, t.now, t.fields_changed), t.want)
        << t.was << t.now << t.fields_changed;
  }
}

TEST(ClientCursorTest, RoundTripsAndRefusesForgeries) {
  ClientCursor c;
  c.etag = 42;
  c.selection = {Json::parse(R"({"a":1})"), {"x", "y.z"}};
  c.transition = ClientCursor::Transition{{Json(), {}}, "k/1"};
  Result<ClientCursor> back = DecodeCursor(EncodeCursor(c));
  ASSERT_OK(back.status());
  EXPECT_EQ(back->etag, 42);
  EXPECT_EQ(back->selection, c.selection);
  ASSERT_TRUE(back->transition.has_value());
  EXPECT_EQ(back->transition->after_key, "k/1");
  Result<ClientCursor> start = DecodeCursor("");
  ASSERT_OK(start.status());
  EXPECT_EQ(start->etag, 0);
  for (const char* bad : {"!!!", "e30=" /* {} */, "bm90IGpzb24=" /* not json */}) {
    EXPECT_EQ(DecodeCursor(bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

class ClientSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "db", &store_));
    writer_ = std::make_unique<LocalWriter>(store_.get(), Env::Default()->clock);
  }
  void Put(const std::string& key, const std::string& body) {
    ASSERT_OK(writer_->PutDocument("db", {"notes", key, body, {}, false}).status());
  }
  // Every page from `cursor` until no more: the changes by key (the last one wins).
  std::map<std::string, PullChange> PullAll(std::string* cursor, PullSelection sel,
                                            int64_t limit = 2) {
    std::map<std::string, PullChange> out;
    for (int pages = 0; pages < 100; ++pages) {
      Result<ClientPullPage> page = Pull(store_.get(), "db", {"notes", *cursor, limit, sel, false});
      EXPECT_OK(page.status());
      if (!page.ok()) break;
      for (PullChange& c : page->changes) out[c.key] = c;
      *cursor = page->cursor;
      if (!page->more) break;
    }
    return out;
  }
  // ApplyPush for client-1, its results parsed.
  Result<std::vector<Json>> PushJson(const std::vector<PushOp>& ops) {
    auto texts = ApplyPush(store_.get(), writer_.get(), "db", "client-1", ops, {});
    if (!texts.ok()) return texts.status();
    std::vector<Json> out;
    for (const std::string& t : *texts) out.push_back(Json::parse(t));
    return out;
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LocalWriter> writer_;
};

TEST_F(ClientSyncTest, PullsPagesAndAFilterChangeSendsOnlyTheDifference) {
  Put("a", R"({"s":"open","n":1})");
  Put("b", R"({"s":"done","n":2})");
  Put("c", R"({"s":"open","n":3})");
  Put("d", R"({"s":"done","n":4})");
  std::string cursor;
  PullSelection open{Json::parse(R"({"s":"open"})"), {"s"}};
  auto first = PullAll(&cursor, open);
  // The first page holds only puts; later pages may say a document is gone (the client
  // drops it if it holds it: it may have changed since an earlier page).
  EXPECT_EQ(first["a"].action, PullAction::kPut);
  EXPECT_EQ(first["c"].action, PullAction::kPut);
  EXPECT_EQ(first.count("b"), 0u);
  for (const auto& [key, c] : first) {
    if (key != "a" && key != "c") {
      EXPECT_EQ(c.action, PullAction::kGone) << key;
    }
  }
  EXPECT_EQ(first["a"].document, Json::parse(R"({"s":"open"})")) << "projected";

  // Changes after the cursor: a put, a document leaving the selection, a delete.
  Put("e", R"({"s":"open","n":5})");
  Put("a", R"({"s":"done","n":1})");
  ASSERT_OK(writer_->Delete("db", ItemKind::kDocument, "notes", "c", {}).status());
  auto next = PullAll(&cursor, open);
  EXPECT_EQ(next["e"].action, PullAction::kPut);
  EXPECT_EQ(next["a"].action, PullAction::kGone);
  EXPECT_EQ(next["c"].action, PullAction::kDelete);
  EXPECT_EQ(next.size(), 3u);

  // The client now wants "done" ones with every field: only b and d arrive (a as well: it is
  // done now), e leaves; nothing is sent twice.
  PullSelection done{Json::parse(R"({"s":"done"})"), {}};
  auto changed = PullAll(&cursor, done);
  EXPECT_EQ(changed["b"].action, PullAction::kPut);
  EXPECT_EQ(changed["b"].document, Json::parse(R"({"s":"done","n":2})"));
  EXPECT_EQ(changed["d"].action, PullAction::kPut);
  EXPECT_EQ(changed["a"].action, PullAction::kPut);
  EXPECT_EQ(changed["e"].action, PullAction::kGone);
  EXPECT_EQ(changed.size(), 4u);
  EXPECT_TRUE(PullAll(&cursor, done).empty()) << "up to date";
}

TEST_F(ClientSyncTest, PushGivesEachOperationItsResultAndAppliesARetryOnce) {
  Put("x", R"({"v":1})");
  ASSERT_OK(SetRules(store_.get(), "db", "notes",
                     Json::parse(R"({"validate": {"v": {"$type": "number"}}})"))
                .status());
  auto x = store_->GetItem("db", ItemKind::kDocument, "notes", "x");
  ASSERT_OK(x.status());
  Result<std::vector<PushOp>> ops = ParsePushOps(std::string(R"({"operations": [
      {"op_id": "1", "op": "create", "collection": "notes", "key": "new", "document": {"v": 2}},
      {"op_id": "2", "op": "create", "collection": "notes", "key": "bad", "document": {"v": "no"}},
      {"op_id": "3", "op": "update", "collection": "notes", "key": "x", "base_etag": 999,
       "document": {"v": 3}},
      {"op_id": "4", "op": "update", "collection": "notes", "key": "x", "base_etag": )" +
                                                              std::to_string(x->etag) + R"(,
       "document": {"v": "text"}},
      {"op_id": "5", "op": "delete", "collection": "notes", "key": "ghost", "base_etag": 1}]})"));
  ASSERT_OK(ops.status());
  auto results = PushJson(*ops);
  ASSERT_OK(results.status());
  ASSERT_EQ(results->size(), 5u);
  EXPECT_EQ((*results)[0]["status"], "applied");
  EXPECT_EQ((*results)[1]["error"], "create-error");
  EXPECT_EQ((*results)[1]["code"], "validation_failed");
  EXPECT_EQ((*results)[2]["status"], "conflict");
  EXPECT_EQ((*results)[2]["server_document"], Json::parse(R"({"v":1})"));
  EXPECT_EQ((*results)[3]["error"], "update-error");
  EXPECT_EQ((*results)[3]["attributes"], Json::parse(R"({"v":1})")) << "to roll back to";
  EXPECT_EQ((*results)[4]["status"], "applied");

  // The same batch again (a retry after a cut): the same answers, nothing applied twice.
  int64_t etag_before = store_->GetDatabase("db")->last_etag;
  auto again = PushJson(*ops);
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, *results);
  EXPECT_EQ(store_->GetDatabase("db")->last_etag, etag_before);
}

TEST_F(ClientSyncTest, AnUpdateOfAPartialDocumentKeepsTheOtherFields) {
  Put("p", R"({"title":"t","body":"long text","n":1})");
  auto p = store_->GetItem("db", ItemKind::kDocument, "notes", "p");
  ASSERT_OK(p.status());
  PushOp op{"u1", PushKind::kUpdate, "notes", "p", p->etag, R"({"title":"T2"})"};
  auto r = ApplyPush(store_.get(), writer_.get(), "db", "c", {op}, {{"notes", {"title", "n"}}});
  ASSERT_OK(r.status());
  auto after = store_->GetItem("db", ItemKind::kDocument, "notes", "p");
  ASSERT_OK(after.status());
  EXPECT_EQ(Json::parse(after->body), Json::parse(R"({"title":"T2","body":"long text"})"));
}

// total_count counts what the pulls will send: not the tombstones a first pull skips, and
// with a filter only the documents it selects (issue 9: it counted every change).
TEST_F(ClientSyncTest, TotalCountIsWhatThePagesSend) {
  for (int i = 0; i < 10; ++i) {
    Put("k" + std::to_string(i), i < 6 ? R"({"s":"open"})" : R"({"s":"done"})");
  }
  ASSERT_OK(writer_->Delete("db", ItemKind::kDocument, "notes", "k0", {}).status());
  for (bool filtered : {false, true}) {
    PullSelection sel;
    if (filtered) sel.filter = Json::parse(R"({"s":"open"})");
    Result<ClientPullPage> first = Pull(store_.get(), "db", {"notes", "", 3, sel, true});
    ASSERT_OK(first.status());
    ASSERT_TRUE(first->total.has_value());
    std::string cursor;
    size_t sent = PullAll(&cursor, sel, 3).size();
    EXPECT_EQ(sent, filtered ? 5u : 9u);
    EXPECT_EQ(*first->total, static_cast<int64_t>(sent)) << (filtered ? "filtered" : "all");
  }
  // After the first pull, deletes are changes to send too.
  std::string cursor;
  PullAll(&cursor, {}, 3);
  ASSERT_OK(writer_->Delete("db", ItemKind::kDocument, "notes", "k1", {}).status());
  Put("k2", R"({"s":"done"})");
  Result<ClientPullPage> next = Pull(store_.get(), "db", {"notes", cursor, 3, {}, true});
  ASSERT_OK(next.status());
  EXPECT_EQ(next->total, 2);
}

TEST_F(ClientSyncTest, BadBatchesAreRefusedWhole) {
  const char* bad[] = {
      R"({})", R"({"operations": {}})",
      R"({"operations": [{"op": "create", "collection": "notes", "key": "k", "document": {}}]})",
      R"({"operations": [{"op_id": "1", "op": "upsert", "collection": "notes", "key": "k"}]})",
      R"({"operations": [{"op_id": "1", "op": "update", "collection": "notes", "key": "k", "document": {}}]})",
      R"({"operations": [{"op_id": "1", "op": "create", "collection": "_x", "key": "k", "document": {}}]})",
      R"({"operations": [{"op_id": "1", "op": "create", "collection": "n", "key": "../k", "document": {}}]})",
      R"({"operations": [{"op_id": "1", "op": "create", "collection": "n", "key": "k", "document": [1]}]})",
  };
  for (const char* b : bad) {
    EXPECT_EQ(ParsePushOps(b).status().code(), Status::Code::kInvalidArgument) << b;
  }
  Json huge = {{"operations", Json::array()}};
  for (size_t i = 0; i <= kMaxPushOperations; ++i) {
    huge["operations"].push_back(
        {{"op_id", std::to_string(i)}, {"op", "delete"}, {"collection", "n"}, {"key", "k"},
         {"base_etag", 1}});
  }
  EXPECT_EQ(ParsePushOps(huge.dump()).status().code(), Status::Code::kTooLarge);
}

TEST_F(ClientSyncTest, AnUnknownClientIsToldSo) {
  auto found = FindClient(store_.get(), Env::Default(), "db", "nope", "", true);
  EXPECT_EQ(found.status().code(), Status::Code::kUnknownClient);
  auto c = RegisterClient(store_.get(), Env::Default(), "db", "ann",
                          Json::parse(R"({"name":"notes","version":"1.0","device":"phone"})"));
  ASSERT_OK(c.status());
  EXPECT_OK(FindClient(store_.get(), Env::Default(), "db", c->client_id, "ann", false).status());
  EXPECT_EQ(FindClient(store_.get(), Env::Default(), "db", c->client_id, "bob", false)
                .status()
                .code(),
            Status::Code::kPermissionDenied);
  // What the client tells of its outbox is kept per collection; never told shows as null.
  ASSERT_OK(RecordPull(store_.get(), Env::Default(), "db", c->client_id, "notes", "", {}, 3));
  ASSERT_OK(RecordPull(store_.get(), Env::Default(), "db", c->client_id, "tasks", "", {}));
  Result<Json> shown = ClientJson(store_.get(), "db", *c);
  ASSERT_OK(shown.status());
  EXPECT_EQ((*shown)["collections"][0]["pending_operations"], 3);
  EXPECT_TRUE((*shown)["collections"][1]["pending_operations"].is_null());
  ASSERT_OK(store_->DeleteClient("db", c->client_id));
  EXPECT_EQ(FindClient(store_.get(), Env::Default(), "db", c->client_id, "ann", false)
                .status()
                .code(),
            Status::Code::kUnknownClient);
}

}  // namespace
}  // namespace syncline

namespace syncline {
namespace {

// A first pull with a filter on an indexed field walks the index (documents arrive in key
// order, not etag order), then goes on with the changes made since it began; a selection
// changed part way through still leaves the client with exactly the selected documents.
TEST_F(ClientSyncTest, AFirstFilteredPullWalksTheFieldIndex) {
  for (int i = 9; i >= 0; --i) {  // written in reverse key order: etag order differs
    Put("k" + std::to_string(i), i % 2 ? R"({"s":"open"})" : R"({"s":"done"})");
  }
  ASSERT_OK(store_->CreateFieldIndex("db", "notes", "s"));
  PullSelection open{Json::parse(R"({"s":"open"})"), {}};
  std::string cursor;
  Result<ClientPullPage> page = Pull(store_.get(), "db", {"notes", cursor, 2, open, false});
  ASSERT_OK(page.status());
  ASSERT_EQ(page->changes.size(), 2u);
  EXPECT_EQ(page->changes[0].key, "k1");  // key order: the index, not the change feed
  EXPECT_EQ(page->changes[1].key, "k3");
  cursor = page->cursor;
  Put("k11", R"({"s":"open"})");  // during the walk
  auto rest = PullAll(&cursor, open);
  EXPECT_EQ(rest.count("k5") + rest.count("k7") + rest.count("k9") + rest.count("k11"), 4u);
  for (const auto& [key, c] : rest) {
    if (c.action == PullAction::kPut) {
      EXPECT_EQ(c.document, Json::parse(R"({"s":"open"})")) << key;
    }
  }
  // Later changes come as usual.
  Put("k1", R"({"s":"done"})");
  auto later = PullAll(&cursor, open);
  EXPECT_EQ(later["k1"].action, PullAction::kGone);

  // A selection changed during a walk: everything again, with gones for what left it.
  std::string c2;
  page = Pull(store_.get(), "db", {"notes", c2, 2, open, false});
  ASSERT_OK(page.status());
  std::map<std::string, bool> held;
  for (const PullChange& c : page->changes) held[c.key] = true;
  c2 = page->cursor;
  PullSelection done{Json::parse(R"({"s":"done"})"), {}};
  auto switched = PullAll(&c2, done, 3);
  for (const auto& [key, c] : switched) {
    if (c.action == PullAction::kPut) held[key] = true;
    if (c.action == PullAction::kGone || c.action == PullAction::kDelete) held.erase(key);
  }
  std::map<std::string, bool> want;
  for (int i : {0, 1, 2, 4, 6, 8}) want["k" + std::to_string(i)] = true;
  EXPECT_EQ(held, want);
}

}  // namespace
}  // namespace syncline
