// Pusher against an in-process Receiver: how the last-applied etag and confirmations keep a
// failed or lost item from being skipped.
#include "replicate/pusher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "replicate/receiver.h"
#include "sync/item_json.h"
#include "sync/local_writer.h"
#include "testing/loopback_remote.h"
#include "testing/test_util.h"

namespace syncline {

namespace {

using testing::LoopbackRemote;

class PusherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(src_dir_, "db", &src_));
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dst_dir_, "db", &dst_));
    receiver_ = std::make_unique<Receiver>(dst_.get(), Env::Default()->clock, 600000000);
  }

  DestinationRun Run(LoopbackRemote::Hook hook = nullptr) {
    Pusher pusher(src_.get(), Env::Default()->clock, "db", {src_->node_id(), "db", "http://src"},
                  [&](const Destination&) {
                    return std::make_unique<LoopbackRemote>(receiver_.get(), "db", hook);
                  },
                  nullptr);
    Destination d;
    d.url = "http://dst";
    d.remote_db = "db";
    return pusher.Run(d, PushOptions{});
  }

  // Replaces the destination with an empty one.
  void FreshDestination() {
    receiver_.reset();
    dst_.reset();
    more_dirs_.push_back(std::make_unique<testing::TempDir>());
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(*more_dirs_.back(), "db", &dst_));
    receiver_ = std::make_unique<Receiver>(dst_.get(), Env::Default()->clock, 600000000);
  }

  void PutFile(const std::string& name, const std::string& data) {
    auto w = FileWriter::Open(src_.get(), "db");
    ASSERT_OK(w);
    ASSERT_OK((*w)->Append(data));
    auto content = (*w)->Finish();
    ASSERT_OK(content);
    LocalWriter writer(src_.get(), Env::Default()->clock);
    ASSERT_OK(writer.CommitFile("db", name, *content, "{}", std::nullopt));
  }

  bool DstHas(ItemKind kind, const std::string& coll, const std::string& key) {
    return dst_->GetItem("db", kind, coll, key).ok();
  }

  int64_t DstLastEtagFromSource() {
    auto j = receiver_->Handle("db", ProtoOp::kLastEtag,
                               {{"source", {{"node_id", src_->node_id()}, {"db", "db"}, {"url", "x"}}}});
    return j.ok() ? (*j)["last_etag"].get<int64_t>() : -1;
  }

  testing::TempDir src_dir_, dst_dir_;
  std::vector<std::unique_ptr<testing::TempDir>> more_dirs_;
  std::unique_ptr<Store> src_, dst_;
  std::unique_ptr<Receiver> receiver_;
};

TEST_F(PusherTest, AFailedItemHoldsTheLastEtagBelowItWhileLaterOnesApply) {
  for (int i = 0; i < 5; ++i) PutFile("f" + std::to_string(i), testing::RandomBytes(1000, i));
  // f2 (etag 3) fails to commit on the first run.
  DestinationRun first = Run([](ProtoOp op, const Json& req) -> std::optional<Result<Json>> {
    if (op == ProtoOp::kFileCommit && req["item"]["key"] == "f2") return Result<Json>(Status::Unavailable("cut"));
    return std::nullopt;
  });
  EXPECT_OK(first.error);
  EXPECT_FALSE(DstHas(ItemKind::kFile, "", "f2"));
  EXPECT_TRUE(DstHas(ItemKind::kFile, "", "f3")) << "later items still apply, out of order";
  EXPECT_TRUE(DstHas(ItemKind::kFile, "", "f4"));
  EXPECT_EQ(DstLastEtagFromSource(), 2) << "the destination records only the settled prefix";

  DestinationRun second = Run();
  EXPECT_OK(second.error);
  EXPECT_TRUE(DstHas(ItemKind::kFile, "", "f2"));
  EXPECT_EQ(DstLastEtagFromSource(), 5);
  // f3 and f4 were already there: the second run found nothing to do for them.
  for (const auto& r : second.reports) EXPECT_EQ(r.ref.key, "f2");
}

TEST_F(PusherTest, ConfirmationRequeuesAnItemThatNeverArrived) {
  LocalWriter writer(src_.get(), Env::Default()->clock);
  ASSERT_OK(writer.PutDocument("db", {"c", "k", "{\"v\":1}", std::nullopt}));
  // The destination claims it applied the batch but stored nothing (say it lost it).
  DestinationRun first = Run([](ProtoOp op, const Json& req) -> std::optional<Result<Json>> {
    if (op != ProtoOp::kApplyDocs) return std::nullopt;
    Json results = Json::array();
    for (size_t i = 0; i < req["items"].size(); ++i) results.push_back({{"outcome", "applied"}});
    return Result<Json>(Json{{"results", results}});
  });
  ASSERT_EQ(first.reports.size(), 1u);
  EXPECT_FALSE(DstHas(ItemKind::kDocument, "c", "k"));
  EXPECT_EQ(DstLastEtagFromSource(), 1) << "the run believed it done";

  // The next run asks about the previous run's items and pushes the missing one again.
  DestinationRun second = Run();
  ASSERT_EQ(second.reports.size(), 1u);
  EXPECT_TRUE(DstHas(ItemKind::kDocument, "c", "k"));
  // And once confirmed, a third run has nothing to do.
  EXPECT_TRUE(Run().reports.empty());
}

TEST_F(PusherTest, TwoSourcesNeverApplyOneFileAtOnce) {
  PutFile("f", testing::RandomBytes(200000, 1));
  Item item = *src_->GetItem("db", ItemKind::kFile, "", "f");
  auto begin = [&](const std::string& node) {
    return receiver_->Handle("db", ProtoOp::kFileBegin,
                             {{"source", {{"node_id", node}, {"db", "db"}, {"url", "http://" + node}}},
                              {"type", "content-update"},
                              {"item", ItemToJson(item)},
                              {"report", {{"name", "f"}, {"type", "content-update"}}}});
  };
  auto first = begin("node-a");
  ASSERT_OK(first);
  EXPECT_EQ((*first)["outcome"], "proceed");
  auto second = begin("node-b");
  EXPECT_EQ(second.status().code(), Status::Code::kPreconditionFailed) << "the lock is taken";
  EXPECT_OK(begin("node-a").status());  // its owner may resume
}

// Seed issue 7: a destination that answers any step with a malformed reply (wrong types,
// missing fields, not an object, nonsense values) fails that run or item with a typed error,
// never the process; and a well-behaved destination afterwards gets everything.
TEST_F(PusherTest, MalformedRepliesAtEveryStepFailCleanlyAndLaterSyncsConverge) {
  LocalWriter writer(src_.get(), Env::Default()->clock);
  ASSERT_OK(writer.PutDocument("db", {"c", "k", "{\"v\":1}", std::nullopt}));
  PutFile("small", testing::RandomBytes(5000, 1));
  PutFile("big", testing::RandomBytes(300000, 2));
  const Json malformed[] = {
      Json::parse(R"({"last_etag":"not-a-number"})"),
      Json::parse(R"({"items":"x","results":{},"outcome":7,"need":"all","failed":3})"),
      Json::parse(R"({"items":[{"exists":"yes"}],"results":[5],"outcome":"eaten"})"),
      Json::parse(R"({"outcome":"proceed","need":[999999],"basis":"***"})"),
      Json::parse(R"({"last_etag":-5,"outcome":"proceed","need":[-1]})"),
      Json::parse(R"({"items":[{"exists":true,"version_vector":{"x":"y"},"deleted":false}]})"),
      Json::parse(R"({"outcome":"proceed","need":[0,0,0,0,0,0,0,0,0,0,0]})"),
      Json::parse("[1,2,3]"),
      Json::parse("null"),
      Json::parse(R"({})"),
  };
  std::set<ProtoOp> reached;
  int refused = 0;
  for (int op = 0; op <= static_cast<int>(ProtoOp::kChunkRecipes); ++op) {
    for (size_t m = 0; m < std::size(malformed); ++m) {
      SCOPED_TRACE("op " + std::string(ProtoOpName(static_cast<ProtoOp>(op))) + ", reply " +
                   malformed[m].dump());
      ASSERT_NO_FATAL_FAILURE(FreshDestination());
      std::atomic<bool> answered{false};  // set by the pusher's worker threads
      DestinationRun run = Run([&](ProtoOp o, const Json&) -> std::optional<Result<Json>> {
        if (static_cast<int>(o) != op) return std::nullopt;
        answered = true;
        return Result<Json>(malformed[m]);
      });
      if (!answered) continue;  // this run did not reach that step
      reached.insert(static_cast<ProtoOp>(op));
      Status failure = run.error;
      for (const auto& r : run.reports) {
        if (failure.ok() && !r.error.ok()) failure = r.error;
      }
      // The lie a step can tell harmlessly (say, a confirmation of an item) costs nothing; any
      // refused reply is a typed ProtocolError, never another code or a crash.
      if (!failure.ok()) {
        EXPECT_EQ(failure.code(), Status::Code::kProtocolError) << failure.ToString();
        ++refused;
      }
    }
  }
  for (ProtoOp op : {ProtoOp::kLastEtag, ProtoOp::kState, ProtoOp::kApplyDocs, ProtoOp::kFileBegin,
                     ProtoOp::kChunks, ProtoOp::kFileCommit, ProtoOp::kSetLastEtag}) {
    EXPECT_TRUE(reached.count(op)) << ProtoOpName(op) << " was never answered with a bad reply";
  }
  EXPECT_GE(refused, 40);
  // A well-behaved destination gets everything.
  ASSERT_NO_FATAL_FAILURE(FreshDestination());
  DestinationRun clean = Run();
  EXPECT_OK(clean.error);
  for (const auto& r : clean.reports) EXPECT_TRUE(r.error.ok()) << r.ref.key << ": " << r.error.ToString();
  EXPECT_TRUE(DstHas(ItemKind::kDocument, "c", "k"));
  EXPECT_TRUE(DstHas(ItemKind::kFile, "", "small"));
  EXPECT_TRUE(DstHas(ItemKind::kFile, "", "big"));
  EXPECT_EQ(DstLastEtagFromSource(), 3);
}

// Transport failures keep their codes, so the replicator can tell a retry from a stop.
TEST_F(PusherTest, TransportFailuresKeepTheirCodes) {
  PutFile("f", testing::RandomBytes(1000, 3));
  for (Status s : {Status::Unavailable("cut"), Status::ProtocolError("garbage"),
                   Status::Unauthenticated("wrong API key"), Status::NotFound("no database")}) {
    DestinationRun run = Run([&](ProtoOp, const Json&) -> std::optional<Result<Json>> {
      return Result<Json>(s);
    });
    EXPECT_EQ(run.error.code(), s.code()) << run.error.ToString();
  }
}

}  // namespace

}  // namespace syncline
