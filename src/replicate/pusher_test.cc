// Pusher against an in-process Receiver: how the last-applied etag and confirmations keep a
// failed or lost item from being skipped.
#include "replicate/pusher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "chunk/file_reader.h"
#include "chunk/manifest.h"
#include "replicate/receiver.h"
#include "sync/garbage_collector.h"
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

  // The destination's content of a file ("" if it lacks it or cannot read it).
  std::string DstContent(const std::string& key) {
    Result<Item> item = dst_->GetItem("db", ItemKind::kFile, "", key);
    if (!item.ok()) return "";
    Result<Manifest> m = Manifest::Decode(item->manifest);
    if (!m.ok()) return "";
    FileReader reader(dst_.get(), "db", *m, 0, static_cast<uint64_t>(item->size));
    std::string out;
    for (Result<std::string_view> piece = reader.Next(); piece.ok() && !piece->empty();
         piece = reader.Next()) {
      out.append(*piece);
    }
    return out;
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

// Files larger than a batch's share go alone (file-begin, chunks, file-commit each).
constexpr size_t kAloneFileBytes = (2u << 20) + 1;

TEST_F(PusherTest, AFailedItemHoldsTheLastEtagBelowItWhileLaterOnesApply) {
  for (int i = 0; i < 5; ++i) PutFile("f" + std::to_string(i), testing::RandomBytes(kAloneFileBytes, i));
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

// Small files travel in batches; one refused inside a batch (here: the destination finds a
// chunk missing for f2 only) fails alone and holds the last etag below it.
TEST_F(PusherTest, AFileRefusedInsideABatchFailsAloneAndIsPushedOnTheNextRun) {
  for (int i = 0; i < 5; ++i) PutFile("f" + std::to_string(i), testing::RandomBytes(3000 + i, i));
  std::atomic<int> batch_begins{0}, batch_commits{0}, single_ops{0};
  DestinationRun first = Run([&](ProtoOp op, const Json& req) -> std::optional<Result<Json>> {
    if (op == ProtoOp::kFileBegin || op == ProtoOp::kFileCommit) ++single_ops;
    if (op == ProtoOp::kFilesBegin) ++batch_begins;
    if (op != ProtoOp::kFilesCommit) return std::nullopt;
    ++batch_commits;
    // The receiver commits all but f2, which it refuses as it would a file not all there.
    Json without = req;
    Json items = Json::array();
    size_t f2 = SIZE_MAX;
    for (size_t i = 0; i < req["items"].size(); ++i) {
      if (req["items"][i]["item"]["key"] == "f2") {
        f2 = i;
      } else {
        items.push_back(req["items"][i]);
      }
    }
    without["items"] = items;
    Result<Json> reply = receiver_->Handle("db", ProtoOp::kFilesCommit, without);
    if (!reply.ok() || f2 == SIZE_MAX) return reply;
    Json refused = StatusToJson(Status::PreconditionFailed("chunk has not arrived"));
    refused["outcome"] = nullptr;
    (*reply)["results"].insert((*reply)["results"].begin() + static_cast<ptrdiff_t>(f2), refused);
    return reply;
  });
  EXPECT_OK(first.error);
  EXPECT_EQ(batch_begins.load(), 1) << "five small files, one batch";
  EXPECT_EQ(batch_commits.load(), 1);
  EXPECT_EQ(single_ops.load(), 0);
  ASSERT_EQ(first.reports.size(), 5u);
  for (const auto& r : first.reports) {
    if (r.ref.key == "f2") {
      EXPECT_EQ(r.error.code(), Status::Code::kPreconditionFailed);
    } else {
      EXPECT_TRUE(r.error.ok()) << r.ref.key << ": " << r.error.ToString();
      EXPECT_EQ(r.bytes_copied, 0) << "a new file travels whole";
      EXPECT_GT(r.bytes_transferred, 3000) << "each file is charged its own chunk";
    }
  }
  EXPECT_FALSE(DstHas(ItemKind::kFile, "", "f2"));
  for (const char* k : {"f0", "f1", "f3", "f4"}) EXPECT_TRUE(DstHas(ItemKind::kFile, "", k)) << k;
  EXPECT_EQ(DstLastEtagFromSource(), 2);

  DestinationRun second = Run();
  EXPECT_OK(second.error);
  ASSERT_EQ(second.reports.size(), 1u);
  EXPECT_EQ(second.reports[0].ref.key, "f2");
  EXPECT_OK(second.reports[0].error);
  EXPECT_EQ(DstContent("f2"), testing::RandomBytes(3002, 2));
  EXPECT_EQ(DstLastEtagFromSource(), 5);
}

// Identical content moves once: copies of one file pushed at once (several workers, several
// batches) send each chunk once, and the destination stores it once.
TEST_F(PusherTest, IdenticalFilesPushedAtOnceSendEachChunkOnce) {
  const std::string big = testing::RandomBytes(3u << 20, 7);    // alone, by several workers
  const std::string small = testing::RandomBytes(100000, 8);    // in batches
  for (int i = 0; i < 4; ++i) PutFile("big" + std::to_string(i), big);
  for (int i = 0; i < 300; ++i) PutFile("small" + std::to_string(i), small);
  DestinationRun run = Run();
  EXPECT_OK(run.error);
  ASSERT_EQ(run.reports.size(), 304u);
  int64_t transferred = 0, copied = 0;
  for (const auto& r : run.reports) {
    EXPECT_TRUE(r.error.ok()) << r.ref.key << ": " << r.error.ToString();
    transferred += r.bytes_transferred;
    copied += r.bytes_copied;
  }
  const int64_t content = static_cast<int64_t>(big.size() + small.size());
  const int64_t total = 4 * static_cast<int64_t>(big.size()) + 300 * static_cast<int64_t>(small.size());
  EXPECT_LT(transferred, content * 11 / 10) << "each distinct chunk travels once";
  EXPECT_GT(transferred, content * 9 / 10);
  EXPECT_EQ(copied, total - content) << "the rest counts as copied at the destination";
  Result<ChunkStats> stats = GetChunkStats(dst_.get(), "db");
  ASSERT_OK(stats);
  EXPECT_LT(stats->disk_bytes, static_cast<uint64_t>(content * 11 / 10)) << "each chunk is stored once";
  EXPECT_EQ(DstContent("big3"), big);
  EXPECT_EQ(DstContent("small299"), small);
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
  PutFile("big", testing::RandomBytes(kAloneFileBytes, 2));  // alone; "small" goes in a batch
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
                     ProtoOp::kChunks, ProtoOp::kFileCommit, ProtoOp::kFilesBegin,
                     ProtoOp::kFilesCommit, ProtoOp::kSetLastEtag}) {
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

namespace syncline {
namespace {

// A run of any size keeps totals of every item and a bounded number of reports: failures
// first (up to twice the bound), then the first successes.
TEST(DestinationRunTest, TotalsCoverEveryItemAndReportsStayBounded) {
  DestinationRun run;
  auto report = [](const std::string& key, Status error) {
    SyncReport r;
    r.ref = {ItemKind::kFile, "", key};
    r.bytes_transferred = 10;
    r.bytes_copied = 1;
    r.error = std::move(error);
    return r;
  };
  for (int i = 0; i < 3 * static_cast<int>(kMaxRunReports); ++i) run.AddReport(report("ok" + std::to_string(i), Status::OK()));
  run.AddReport(report("conflicted", Status::FromCode(Status::Code::kConflicted, "kept aside")));
  for (int i = 0; i < 3 * static_cast<int>(kMaxRunReports); ++i) {
    run.AddReport(report("bad" + std::to_string(i), Status::Unavailable("cut")));
  }
  const int64_t n = 6 * static_cast<int64_t>(kMaxRunReports) + 1;
  EXPECT_EQ(run.items, n);
  EXPECT_EQ(run.conflicts, 1);
  EXPECT_EQ(run.failed, 3 * static_cast<int64_t>(kMaxRunReports));
  EXPECT_EQ(run.bytes_transferred, 10 * n);
  EXPECT_EQ(run.bytes_copied, n);
  EXPECT_EQ(run.reports.size(), 2 * kMaxRunReports);
  EXPECT_EQ(run.reports_omitted, n - static_cast<int64_t>(2 * kMaxRunReports));
  EXPECT_EQ(run.reports.back().ref.key, "bad" + std::to_string(kMaxRunReports - 1))
      << "failures fill the second half";
  EXPECT_EQ(run.item_error.code(), Status::Code::kUnavailable);
  EXPECT_NE(run.item_error.message().find("bad0"), std::string::npos) << "the first failure, named";
  Json j = DestinationRunToJson(run);
  EXPECT_EQ(j["items"], n);
  EXPECT_EQ(j["reports_omitted"], run.reports_omitted);
  EXPECT_EQ(j["reports"].size(), 2 * kMaxRunReports);
}

}  // namespace
}  // namespace syncline
