// Collection sync between two in-process stores: the decision tables (entry diff, page plan),
// then full, merkle and keys runs that must leave the replica holding exactly the master's
// documents with the master's versions, and failures or cancellation at every call that must
// leave the replica exactly as it was.
#include "replicate/collection_sync.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "replicate/collection_protocol.h"
#include "replicate/snapshot_registry.h"
#include "replicate/snapshot_source.h"
#include "util/json_reader.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

Item D(const std::string& key, const std::string& vv, const std::string& body = "{}",
       bool deleted = false) {
  Item i;
  i.key = key;
  i.version_vector = vv;
  i.body = body;
  i.deleted = deleted;
  return i;
}

TEST(CollectionDiffTest, EntriesDiffTable) {
  struct Case {
    const char* name;
    std::vector<KeyVersion> master, replica;
    std::vector<std::string> fetch, remove;
  };
  const Case cases[] = {
      {"equal", {{"a", "1"}, {"b", "2"}}, {{"a", "1"}, {"b", "2"}}, {}, {}},
      {"missing here", {{"a", "1"}, {"b", "2"}}, {{"b", "2"}}, {"a"}, {}},
      {"extra here", {{"b", "2"}}, {{"a", "1"}, {"b", "2"}}, {}, {"a"}},
      {"changed", {{"a", "1"}, {"b", "3"}}, {{"a", "1"}, {"b", "2"}}, {"b"}, {}},
      {"both empty", {}, {}, {}, {}},
      {"disjoint", {{"a", "1"}, {"c", "1"}}, {{"b", "1"}, {"d", "1"}}, {"a", "c"}, {"b", "d"}},
  };
  for (const Case& c : cases) {
    CollectionDiff diff;
    DiffEntries(c.master, c.replica, &diff);
    EXPECT_EQ(diff.fetch, c.fetch) << c.name;
    EXPECT_EQ(diff.remove, c.remove) << c.name;
  }
}

TEST(CollectionApplyTest, PagePlanTable) {
  struct Case {
    const char* name;
    std::vector<Item> staged, local;
    StageMode mode;
    std::vector<std::string> puts, removes;
    ApplyCounts counts;
  };
  const Case cases[] = {
      {"insert", {D("a", "{1}")}, {}, StageMode::kPatch, {"a"}, {}, {1, 0, 0, 0}},
      {"same state", {D("a", "{1}")}, {D("a", "{1}")}, StageMode::kPatch, {}, {}, {0, 0, 0, 1}},
      {"other version", {D("a", "{2}")}, {D("a", "{1}")}, StageMode::kPatch, {"a"}, {}, {0, 1, 0, 0}},
      {"other body", {D("a", "{1}", R"({"x":1})")}, {D("a", "{1}")}, StageMode::kPatch, {"a"}, {},
       {0, 1, 0, 0}},
      {"staged removal", {D("a", "", "", true)}, {D("a", "{1}")}, StageMode::kPatch, {}, {"a"},
       {0, 0, 1, 0}},
      {"removal of nothing", {D("a", "", "", true)}, {}, StageMode::kPatch, {}, {}, {}},
      {"patch keeps the rest", {D("b", "{1}")}, {D("a", "{1}"), D("b", "{1}")}, StageMode::kPatch,
       {}, {}, {0, 0, 0, 1}},
      {"replace removes the rest", {D("b", "{1}")}, {D("a", "{1}"), D("b", "{1}"), D("c", "{1}")},
       StageMode::kReplace, {}, {"a", "c"}, {0, 0, 2, 1}},
  };
  for (const Case& c : cases) {
    PagePlan plan = PlanStagedPage(c.staged, c.local, c.mode);
    std::vector<std::string> puts, removes;
    for (const Item& i : plan.puts) puts.push_back(i.key);
    for (const Item& i : plan.removes) removes.push_back(i.key);
    EXPECT_EQ(puts, c.puts) << c.name;
    EXPECT_EQ(removes, c.removes) << c.name;
    EXPECT_EQ(plan.counts, c.counts) << c.name;
  }
}

TEST(CollectionSyncMethodTest, NamesRoundTrip) {
  for (auto m : {CollectionSyncMethod::kFull, CollectionSyncMethod::kMerkle,
                 CollectionSyncMethod::kKeys}) {
    EXPECT_EQ(*ParseCollectionSyncMethod(CollectionSyncMethodName(m)), m);
  }
  EXPECT_EQ(ParseCollectionSyncMethod("rsync").status().code(), Status::Code::kInvalidArgument);
}

// Fails every call from the `fail_at`th on (counting from 0), as a master that went away.
class FailingSource : public CollectionSource {
 public:
  FailingSource(CollectionSource* inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  int calls() const { return calls_; }

  int64_t etag() const override { return inner_->etag(); }
  Result<NodeSummary> Root() override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->Root();
  }
  Result<std::vector<std::vector<NodeSummary>>> Children(const std::vector<TreeNode>& n) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->Children(n);
  }
  Result<std::vector<std::vector<KeyVersion>>> Entries(const std::vector<TreeNode>& n) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->Entries(n);
  }
  Result<std::vector<KeyChunk>> KeyChunks(int64_t size) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->KeyChunks(size);
  }
  Result<std::vector<KeyVersion>> KeysBetween(const std::string& a, const std::string& t) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->KeysBetween(a, t);
  }
  Result<std::vector<Item>> Documents(const std::vector<std::string>& keys) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->Documents(keys);
  }
  Result<std::vector<Item>> DocumentsAfter(const std::string& after, int64_t limit) override {
    SYNCLINE_RETURN_IF_ERROR(Tick());
    return inner_->DocumentsAfter(after, limit);
  }

 private:
  Status Tick() {
    return calls_++ >= fail_at_ ? Status::Unavailable("the master went away") : Status::OK();
  }
  CollectionSource* inner_;
  int fail_at_;
  int calls_ = 0;
};

using Docs = std::map<std::string, std::pair<std::string, std::string>>;  // key -> (vv, body)

class CollectionSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(master_dir_, "db", &master_));
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(replica_dir_, "db", &replica_));
  }

  static Status Put(Store* store, const std::string& collection, std::vector<Item> docs) {
    return store->Write("db", [&](WriteTransaction& txn) {
      for (Item& d : docs) {
        d.collection = collection;
        SYNCLINE_RETURN_IF_ERROR(txn.Put(&d));
      }
      return Status::OK();
    });
  }

  // `n` documents on both sides, then `changes` random differences on either side.
  void MakeCollections(int n, int changes, uint32_t seed) {
    std::vector<Item> docs;
    for (int i = 0; i < n; ++i) {
      docs.push_back(D("k" + std::to_string(i), R"({"m":)" + std::to_string(i) + "}",
                       R"({"i":)" + std::to_string(i) + "}"));
    }
    ASSERT_OK(Put(master_.get(), "c", docs));
    ASSERT_OK(Put(replica_.get(), "c", docs));
    std::mt19937 rng(seed);
    for (int i = 0; i < changes; ++i) {
      Store* side = rng() % 2 ? master_.get() : replica_.get();
      std::string key = "k" + std::to_string(rng() % (n + changes));
      int what = rng() % 3;
      Item d = D(key, R"({"x":)" + std::to_string(rng()) + "}", R"({"changed":true})", what == 0);
      ASSERT_OK(Put(side, "c", {d}));
    }
  }

  static Docs Live(Store* store, const std::string& collection) {
    Docs out;
    ListOptions o;
    o.collection = collection;
    o.limit = 1000000;
    auto items = store->ListItems("db", o);
    EXPECT_TRUE(items.ok());
    for (const Item& i : *items) out[i.key] = {i.version_vector, i.body};
    return out;
  }

  Result<CollectionSyncResult> Sync(CollectionSyncMethod method, CollectionSource* master = nullptr,
                                    KeepGoing keep_going = [] { return Status::OK(); }) {
    auto snapshot = master_->OpenSnapshot("db");
    if (!snapshot.ok()) return snapshot.status();
    SnapshotSource source(std::move(snapshot).value(), "c");
    return RunCollectionSync(replica_.get(), "db", "c", "job", method, master ? *master : source,
                             keep_going, [](const CollectionSyncProgress&) {});
  }

  TreeSum Root(Store* store) {
    auto snap = store->OpenSnapshot("db");
    EXPECT_TRUE(snap.ok());
    return *(*snap)->TreeRoot("c");
  }

  testing::TempDir master_dir_, replica_dir_;
  std::unique_ptr<Store> master_, replica_;
};

class EveryMethodTest : public CollectionSyncTest,
                        public ::testing::WithParamInterface<CollectionSyncMethod> {};

TEST_P(EveryMethodTest, EndsWithTheMastersDocumentsAndVersions) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(3000, 60, 11));
  ASSERT_OK(Put(replica_.get(), "other", {D("x", "{}")}));
  ASSERT_NE(Live(master_.get(), "c"), Live(replica_.get(), "c"));
  auto r = Sync(GetParam());
  ASSERT_OK(r);
  EXPECT_EQ(Live(master_.get(), "c"), Live(replica_.get(), "c"));
  EXPECT_EQ(Root(master_.get()), Root(replica_.get())) << "copies keep the master's versions";
  EXPECT_EQ(Live(replica_.get(), "other").size(), 1u) << "other collections are untouched";
  EXPECT_GT(r->counts.inserted + r->counts.updated + r->counts.removed, 0);
  // A second run finds nothing to do.
  auto again = Sync(GetParam());
  ASSERT_OK(again);
  EXPECT_EQ(again->counts.inserted + again->counts.updated + again->counts.removed, 0);
  auto checks = replica_->CheckTrees("db", "", false);
  ASSERT_OK(checks);
  for (const TreeCheck& c : *checks) EXPECT_TRUE(c.ok()) << c.collection;
}

TEST_P(EveryMethodTest, AFailureAtAnyCallLeavesTheReplicaAsItWas) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(12000, 40, 3));
  Docs before = Live(replica_.get(), "c");
  int64_t etag_before = replica_->GetDatabase("db")->last_etag;
  for (int fail_at = 0;; ++fail_at) {
    SCOPED_TRACE("failing at call " + std::to_string(fail_at));
    auto snapshot = master_->OpenSnapshot("db");
    ASSERT_OK(snapshot);
    SnapshotSource source(std::move(snapshot).value(), "c");
    FailingSource failing(&source, fail_at);
    auto r = Sync(GetParam(), &failing);
    if (r.ok()) break;  // every call got through
    EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
    ASSERT_EQ(Live(replica_.get(), "c"), before);
    ASSERT_EQ(replica_->GetDatabase("db")->last_etag, etag_before);
    ASSERT_LT(fail_at, 200) << "never got through";
  }
  EXPECT_EQ(Live(replica_.get(), "c"), Live(master_.get(), "c"));
}

TEST_P(EveryMethodTest, CancellingLeavesTheReplicaAsItWas) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(12000, 40, 4));
  Docs before = Live(replica_.get(), "c");
  int steps = 0;
  auto r = Sync(GetParam(), nullptr, [&]() -> Status {
    return ++steps > 2 ? Status::Cancelled("job cancelled") : Status::OK();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCancelled);
  EXPECT_EQ(Live(replica_.get(), "c"), before);
}

INSTANTIATE_TEST_SUITE_P(Methods, EveryMethodTest,
                         ::testing::Values(CollectionSyncMethod::kFull,
                                           CollectionSyncMethod::kMerkle,
                                           CollectionSyncMethod::kKeys),
                         [](const auto& info) {
                           return std::string(CollectionSyncMethodName(info.param));
                         });

TEST_F(CollectionSyncTest, MerkleComparesFarLessThanKeys) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(20000, 10, 5));
  auto snapshot = replica_->OpenSnapshot("db");
  ASSERT_OK(snapshot);
  SnapshotSource mine(std::move(snapshot).value(), "c");
  auto master_snapshot = master_->OpenSnapshot("db");
  ASSERT_OK(master_snapshot);
  SnapshotSource theirs(std::move(master_snapshot).value(), "c");
  auto ok = [] { return Status::OK(); };
  auto by_tree = DiffByTree(theirs, mine, ok);
  auto by_keys = DiffByKeys(theirs, mine, ok);
  ASSERT_OK(by_tree);
  ASSERT_OK(by_keys);
  EXPECT_EQ(by_tree->fetch, by_keys->fetch);
  EXPECT_EQ(by_tree->remove, by_keys->remove);
  EXPECT_FALSE(by_tree->empty());
  EXPECT_LT(by_tree->entries_compared * 20, by_keys->entries_compared)
      << by_tree->entries_compared << " vs " << by_keys->entries_compared;
}

TEST_F(CollectionSyncTest, NoDifferenceStopsAtTheRoot) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(500, 0, 1));
  auto r = Sync(CollectionSyncMethod::kMerkle);
  ASSERT_OK(r);
  EXPECT_EQ(r->nodes_compared, 1);
  EXPECT_EQ(r->documents_transferred, 0);
  EXPECT_EQ(r->counts.unchanged + r->counts.inserted, 0);
}

TEST_F(CollectionSyncTest, WritesOnTheMasterAfterTheSnapshotComeWithTheNextRun) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(1000, 20, 9));
  auto snapshot = master_->OpenSnapshot("db");
  ASSERT_OK(snapshot);
  SnapshotSource source(std::move(snapshot).value(), "c");
  ASSERT_OK(Put(master_.get(), "c", {D("late", R"({"m":1})"), D("k1", R"({"m":2})", "{}", true)}));
  auto first = RunCollectionSync(replica_.get(), "db", "c", "job", CollectionSyncMethod::kMerkle,
                                 source, [] { return Status::OK(); },
                                 [](const CollectionSyncProgress&) {});
  ASSERT_OK(first);
  EXPECT_EQ(Live(replica_.get(), "c").count("late"), 0u) << "not in the snapshot";
  EXPECT_LT(first->master_etag, master_->GetDatabase("db")->last_etag);
  ASSERT_OK(Sync(CollectionSyncMethod::kMerkle));
  EXPECT_EQ(Live(master_.get(), "c"), Live(replica_.get(), "c"));
}

// The replica reads the master through the wire codec, as it does over HTTP.
class CollectionProtocolTest : public CollectionSyncTest {
 protected:
  // Opens a snapshot on the master and a source that reads it through `mangle` (which may
  // spoil an answer).
  std::unique_ptr<CollectionSource> OpenRemote(
      std::function<void(std::string_view op, Json* answer)> mangle = nullptr) {
    auto opened = registry_->Open("db", "c");
    EXPECT_TRUE(opened.ok());
    std::string id = JsonText(*opened, "snapshot");
    return NewRemoteCollectionSource(
        [this, mangle](std::string_view op, const Json& request) -> Result<Json> {
          // Through text, as over the wire.
          SYNCLINE_ASSIGN_OR_RETURN(
              Json answer, registry_->Handle("db", op, ParseStoredJson(DumpJson(request))));
          if (mangle) mangle(op, &answer);
          return answer;
        },
        id, JsonNumber(*opened, "etag"));
  }
  void SetUp() override {
    CollectionSyncTest::SetUp();
    registry_ = std::make_unique<SnapshotRegistry>(master_.get(), Env::Default());
  }
  std::unique_ptr<SnapshotRegistry> registry_;
};

TEST_F(CollectionProtocolTest, CarriesEveryMethod) {
  for (auto method : {CollectionSyncMethod::kFull, CollectionSyncMethod::kMerkle,
                      CollectionSyncMethod::kKeys}) {
    SCOPED_TRACE(std::string(CollectionSyncMethodName(method)));
    ASSERT_NO_FATAL_FAILURE(MakeCollections(2000, 30, 20 + static_cast<int>(method)));
    auto remote = OpenRemote();
    ASSERT_OK(Sync(method, remote.get()));
    EXPECT_EQ(Live(master_.get(), "c"), Live(replica_.get(), "c"));
    EXPECT_EQ(Root(master_.get()), Root(replica_.get()));
  }
}

TEST_F(CollectionProtocolTest, AMasterThatAnswersGarbageChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(MakeCollections(3000, 30, 8));
  Docs before = Live(replica_.get(), "c");
  struct Case {
    const char* name;
    CollectionSyncMethod method;
    const char* op;
    std::function<void(Json*)> spoil;
  };
  const Case cases[] = {
      {"root not an array", CollectionSyncMethod::kMerkle, "root",
       [](Json* a) { (*a)["root"] = "x"; }},
      {"negative count", CollectionSyncMethod::kMerkle, "root",
       [](Json* a) { (*a)["root"][1] = -5; }},
      {"children of the wrong arity", CollectionSyncMethod::kMerkle, "children",
       [](Json* a) { (*a)["children"][0].erase(0); }},
      {"children missing", CollectionSyncMethod::kMerkle, "children",
       [](Json* a) { a->erase("children"); }},
      {"entries out of order", CollectionSyncMethod::kMerkle, "entries",
       [](Json* a) {
         Json& e = (*a)["entries"];
         for (Json& row : e) {
           if (row.size() > 1) {
             std::swap(row[0], row[1]);
             return;
           }
         }
         e[0] = Json::array({Json::array({"b", "x"}), Json::array({"a", "x"})});
       }},
      {"a document with a bad key", CollectionSyncMethod::kMerkle, "documents",
       [](Json* a) { (*a)["documents"][0]["key"] = "../etc"; }},
      {"a body that is not an object", CollectionSyncMethod::kMerkle, "documents",
       [](Json* a) { (*a)["documents"][0]["body"] = "[1,2"; }},
      {"a version vector that is not one", CollectionSyncMethod::kMerkle, "documents",
       [](Json* a) { (*a)["documents"][0]["version_vector"] = R"({"n":"x"})"; }},
      {"a document not asked for", CollectionSyncMethod::kMerkle, "documents",
       [](Json* a) {
         (*a)["documents"].push_back({{"key", "zzzz-extra"}, {"version_vector", "{}"},
                                      {"updated_at", 1}, {"body", "{}"}});
       }},
      {"a longer page than asked", CollectionSyncMethod::kFull, "documents-after",
       [](Json* a) {
         for (int i = 0; i < 6000; ++i) {
           (*a)["documents"].push_back({{"key", "zz" + std::to_string(100000 + i)},
                                        {"version_vector", "{}"}, {"updated_at", 1},
                                        {"body", "{}"}});
         }
       }},
      {"chunks that are not objects", CollectionSyncMethod::kKeys, "key-chunks",
       [](Json* a) { (*a)["chunks"] = Json::array({1, 2}); }},
      {"keys of the wrong shape", CollectionSyncMethod::kKeys, "keys",
       [](Json* a) { (*a)["keys"] = Json::array({Json::array({1})}); }},
  };
  for (const Case& c : cases) {
    auto remote = OpenRemote([&](std::string_view op, Json* answer) {
      if (op == c.op) c.spoil(answer);
    });
    auto r = Sync(c.method, remote.get());
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), Status::Code::kProtocolError) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(Live(replica_.get(), "c"), before) << c.name;
  }
}

TEST_F(CollectionProtocolTest, BadRequestsAreRefusedClearly) {
  // A collection that never had a document is not an empty one: a typo must not empty a
  // replica's collection through a full sync.
  EXPECT_EQ(registry_->Open("db", "c").status().code(), Status::Code::kNotFound);
  ASSERT_OK(Put(master_.get(), "c", {D("a", "{}")}));
  auto opened = registry_->Open("db", "c");
  ASSERT_OK(opened);
  Json id = (*opened)["snapshot"];
  struct Case {
    const char* op;
    Json request;
    Status::Code code;
  };
  const Case cases[] = {
      {"root", Json{{"snapshot", "nope"}}, Status::Code::kNotFound},
      {"root", Json{{"snapshot", 5}}, Status::Code::kInvalidArgument},
      {"children", Json{{"snapshot", id}, {"nodes", Json::array({Json::array({4, 0})})}},
       Status::Code::kInvalidArgument},  // a leaf has no children
      {"children", Json{{"snapshot", id}, {"nodes", Json::array({Json::array({1, 99})})}},
       Status::Code::kInvalidArgument},
      {"children", Json{{"snapshot", id}, {"nodes", "x"}}, Status::Code::kInvalidArgument},
      {"entries", Json{{"snapshot", id}, {"nodes", Json::array({Json::array({-1, 0})})}},
       Status::Code::kInvalidArgument},
      {"documents", Json{{"snapshot", id}, {"keys", Json::array({1})}},
       Status::Code::kInvalidArgument},
      {"documents", Json{{"snapshot", id}, {"keys", std::vector<std::string>(1001, "k")}},
       Status::Code::kTooLarge},
      {"documents-after", Json{{"snapshot", id}, {"after", ""}, {"limit", 0}},
       Status::Code::kInvalidArgument},
      {"key-chunks", Json{{"snapshot", id}, {"chunk_size", 1}}, Status::Code::kInvalidArgument},
      {"nonsense", Json{{"snapshot", id}}, Status::Code::kNotFound},
  };
  for (const Case& c : cases) {
    auto r = registry_->Handle("db", c.op, c.request);
    ASSERT_FALSE(r.ok()) << c.op << " " << c.request.dump();
    EXPECT_EQ(r.status().code(), c.code) << c.op << " " << c.request.dump() << ": "
                                         << r.status().ToString();
  }
  EXPECT_EQ(registry_->Handle("other", "root", Json{{"snapshot", id}}).status().code(),
            Status::Code::kNotFound) << "a snapshot belongs to its database";
  ASSERT_OK(registry_->Close("db", id.get<std::string>()));
  EXPECT_EQ(registry_->open_count(), 0u);
}

}  // namespace
}  // namespace syncline
