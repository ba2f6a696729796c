// Collection sync between two real nodes (seed 004): full and incremental (merkle and keys)
// end with identical collections, documents and versions alike; the master keeps taking writes;
// a cut connection, a silent master and a kill -9 of the replica leave the replica consistent;
// readers never see a half-replaced collection; bad input changes nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "net/url.h"
#include "testing/fake_peer.h"
#include "testing/server_process.h"
#include "testing/tcp_proxy.h"
#include "testing/test_util.h"
#include "util/json_reader.h"

namespace syncline::testing {
namespace {

using Docs = std::map<std::string, std::string>;  // key -> body

class CollectionSyncIT : public ::testing::Test {
 protected:
  void SetUp() override {
    master_ = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub("master"));
    replica_ = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub("replica"));
    master_->Start();
    replica_->Start();
    ASSERT_OK(master_->Client().Send("PUT", "/v1/db/shop"));
    ASSERT_OK(replica_->Client().Send("PUT", "/v1/db/shop"));
  }

  static Json Call(ServerProcess& node, const std::string& method, const std::string& path,
                   const Json& body = nullptr) {
    auto r = node.Client().Send(method, path, body.is_null() ? "" : body.dump(),
                                {{"Content-Type", "application/json"}});
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    return r.ok() && !r->body.empty() ? ParseStoredJson(r->body) : Json();
  }

  // Documents `from` to `to` - 1 of collection c, with `gen` in each.
  static void PutRange(ServerProcess& node, int from, int to, int gen,
                       const std::string& prefix = "k") {
    for (int start = from; start < to; start += 5000) {
      Json docs = Json::array();
      for (int i = start; i < std::min(to, start + 5000); ++i) {
        docs.push_back({{"collection", "c"}, {"key", prefix + std::to_string(i)},
                        {"document", {{"i", i}, {"gen", gen}, {"pad", std::string(150, 'x')}}}});
      }
      ASSERT_OK(node.Client().Send("POST", "/v1/db/shop/bulk", Json{{"docs", docs}}.dump()));
    }
  }

  static void Remove(ServerProcess& node, const std::string& key) {
    ASSERT_OK(node.Client().Send("DELETE", "/v1/db/shop/docs/c/" + key));
  }

  static Docs AllDocs(ServerProcess& node, const std::string& collection = "c") {
    Docs out;
    std::string after;
    HttpClient client = node.Client();
    while (true) {
      auto r = client.Send("GET", "/v1/db/shop/docs/" + collection + "?limit=10000&after=" +
                                      PercentEncode(after));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) return out;
      Json page = ParseStoredJson(r->body);
      for (const Json& d : page) {
        after = JsonText(d, "key");
        out[after] = JsonField(d, "document").dump();
      }
      if (page.size() < 10000) return out;
    }
  }

  // The node's tree root for collection c: equal digests mean equal documents with equal
  // version vectors (the tree hashes both).
  static std::string Root(ServerProcess& node) {
    Json opened = Call(node, "POST", "/v1/db/shop/snapshots", {{"collection", "c"}});
    std::string id = JsonText(opened, "snapshot");
    Json root = Call(node, "POST", "/v1/db/shop/snapshots/root", {{"snapshot", id}});
    (void)node.Client().Send("DELETE", "/v1/db/shop/snapshots/" + id);
    return JsonField(root, "root").dump();
  }

  Json SyncBody(const std::string& method, const std::string& from = "") {
    Json body = {{"collection", "c"}, {"from", from.empty() ? master_->url() : from},
                 {"from_key", master_->api_key()}};
    if (method != "full") {
      body["incremental"] = true;
      body["method"] = method;
    }
    return body;
  }

  // A blocking sync; the job as the answer gives it (the error answer's "job" on failure).
  Json SyncAndWait(const Json& body, int expect_http = 200) {
    auto r = replica_->Client().Send("POST", "/v1/db/shop/collection-sync", body.dump());
    if (expect_http == 200) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      return r.ok() ? ParseStoredJson(r->body) : Json();
    }
    EXPECT_FALSE(r.ok());
    return Json{{"error_code", std::string(Status::CodeName(r.status().code()))},
                {"message", r.status().message()}};
  }

  Json Job(const std::string& id) { return Call(*replica_, "GET", "/v1/db/shop/jobs/" + id); }

  // Polls the job until it is no longer running (the state is the signal waited for).
  Json WaitForJob(const std::string& id) {
    for (int i = 0; i < 6000; ++i) {
      Json job = Job(id);
      std::string state = JsonText(job, "state");
      if (state != "running" && state != "pending") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "job " << id << " never ended";
    return Json();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> master_, replica_;
};

TEST_F(CollectionSyncIT, FullThenIncrementalByEitherMethodEndIdentical) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 3000, 1));
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 2500, 3500, 7));  // overlaps, and extras
  Json full = SyncAndWait(SyncBody("full"));
  EXPECT_EQ(JsonText(full, "state"), "done") << full.dump();
  const Json& r = JsonField(full, "result");
  EXPECT_EQ(JsonNumber(r, "inserted"), 2500);
  EXPECT_EQ(JsonNumber(r, "updated"), 500);
  EXPECT_EQ(JsonNumber(r, "removed"), 500);
  EXPECT_EQ(AllDocs(*replica_), AllDocs(*master_));
  EXPECT_EQ(Root(*replica_), Root(*master_));

  int round = 0;
  for (const char* method : {"merkle", "keys"}) {
    SCOPED_TRACE(method);
    // Differences on both sides: inserts, updates and removals.
    int o = 1000 * round++;
    ASSERT_NO_FATAL_FAILURE(PutRange(*master_, o + 100, o + 110, 2 + round));
    ASSERT_NO_FATAL_FAILURE(PutRange(*master_, o + 5000, o + 5005, 2));
    ASSERT_NO_FATAL_FAILURE(Remove(*master_, "k" + std::to_string(o + 7)));
    ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, o + 200, o + 203, 9));
    ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, o, o + 2, 9, "extra"));
    ASSERT_NO_FATAL_FAILURE(Remove(*replica_, "k" + std::to_string(o + 300)));
    ASSERT_NE(AllDocs(*replica_), AllDocs(*master_));
    Json job = SyncAndWait(SyncBody(method));
    ASSERT_EQ(JsonText(job, "state"), "done") << job.dump();
    const Json& res = JsonField(job, "result");
    EXPECT_EQ(JsonText(res, "method"), method);
    EXPECT_EQ(JsonNumber(res, "inserted"), 5 + 1);   // k5000..k5004 and k300
    EXPECT_EQ(JsonNumber(res, "updated"), 10 + 3);   // k100..k109 and k200..k202
    EXPECT_EQ(JsonNumber(res, "removed"), 1 + 2);    // k7 and extra0, extra1
    EXPECT_EQ(AllDocs(*replica_), AllDocs(*master_));
    EXPECT_EQ(Root(*replica_), Root(*master_));
  }
  // db verify finds the replica's maintained tree equal to a recomputation.
  Json verify = Call(*replica_, "POST", "/v1/db/shop/verify", {{"repair", false}});
  for (const Json& c : JsonField(verify, "collections")) EXPECT_TRUE(JsonFlag(c, "ok")) << c.dump();
}

TEST_F(CollectionSyncIT, TheMasterKeepsTakingWritesAndNoneIsLost) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 20000, 1));
  TcpProxy slow(master_->port());
  slow.ThrottleDown(4 << 20);  // the sync takes a second or so; writes go on meanwhile
  Json body = SyncBody("full", slow.url());
  body["async"] = true;
  Json started = Call(*replica_, "POST", "/v1/db/shop/collection-sync", body);
  std::string id = JsonText(started, "id");
  ASSERT_FALSE(id.empty()) << started.dump();
  // Writes straight to the master while the job reads its snapshot.
  int written = 0;
  HttpClient client = master_->Client();
  while (JsonText(Job(id), "state") == "running") {
    Json doc = {{"late", written}};
    ASSERT_OK(client.Send("PUT", "/v1/db/shop/docs/c/late" + std::to_string(written), doc.dump()));
    ++written;
  }
  EXPECT_GT(written, 0);
  Json job = WaitForJob(id);
  ASSERT_EQ(JsonText(job, "state"), "done") << job.dump();
  // Not in the snapshot; the next incremental run brings every one of them.
  Json next = SyncAndWait(SyncBody("merkle"));
  ASSERT_EQ(JsonText(next, "state"), "done");
  Docs replica = AllDocs(*replica_);
  for (int i = 0; i < written; ++i) {
    EXPECT_EQ(replica.count("late" + std::to_string(i)), 1u) << "late" << i;
  }
  EXPECT_EQ(replica, AllDocs(*master_));
}

TEST_F(CollectionSyncIT, ACutConnectionLeavesTheReplicaAsItWas) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 30000, 2));
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 100, 1));
  Docs before = AllDocs(*replica_);
  std::string root_before = Root(*replica_);
  TcpProxy proxy(master_->port());
  proxy.CutAfterBytes(1500, /*then_partition=*/true);  // a few pages in
  for (const char* method : {"full", "merkle"}) {
    Json job = SyncAndWait(SyncBody(method, proxy.url()), 503);
    EXPECT_EQ(JsonText(job, "error_code"), "unavailable") << job.dump();
    EXPECT_EQ(AllDocs(*replica_), before) << method;
    EXPECT_EQ(Root(*replica_), root_before) << method;
  }
  // The job says it can be resumed; once the network heals, resuming it completes it.
  Json jobs = Call(*replica_, "GET", "/v1/db/shop/jobs");
  ASSERT_GE(jobs.size(), 2u);
  EXPECT_TRUE(JsonFlag(jobs[0], "resumable"));
  proxy.SetPartitioned(false);
  Json resumed = Call(*replica_, "POST", "/v1/db/shop/jobs/resume", {{"id", JsonText(jobs[0], "id")}});
  // A second resume of the same job, running or done by now, is refused: it runs once.
  auto again = replica_->Client().Send("POST", "/v1/db/shop/jobs/resume",
                                       Json{{"id", JsonText(jobs[0], "id")}}.dump());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kPreconditionFailed) << again.status().ToString();
  Json done = WaitForJob(JsonText(resumed, "id"));
  EXPECT_EQ(JsonText(done, "state"), "done") << done.dump();
  EXPECT_EQ(AllDocs(*replica_), AllDocs(*master_));
}

TEST_F(CollectionSyncIT, MaxWaitGivesUpOnASilentMaster) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 10, 1));
  Docs before = AllDocs(*replica_);
  FakePeer silent([](const std::string&, const std::string&) {
    FakePeer::Reply r;
    r.silent = true;
    return r;
  });
  Json body = SyncBody("merkle", silent.url());
  body["max_wait"] = 1;
  auto start = std::chrono::steady_clock::now();
  Json job = SyncAndWait(body, 503);
  EXPECT_EQ(JsonText(job, "error_code"), "unavailable") << job.dump();
  // Gave up on its own (the test's limit is a backstop, not the assertion).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(AllDocs(*replica_), before);
}

TEST_F(CollectionSyncIT, AMasterThatAnswersGarbageChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 10, 1));
  Docs before = AllDocs(*replica_);
  FakePeer garbage([](const std::string& op, const std::string&) {
    if (op == "snapshots") {
      return FakePeer::Http(201, R"({"snapshot":"s1","etag":5,"idle_timeout_seconds":60})");
    }
    if (op == "root") return FakePeer::Http(200, R"({"root":["x",3]})");
    return FakePeer::Http(200, R"({"children":[[1,2,3]],"entries":"no"})");
  });
  Json job = SyncAndWait(SyncBody("merkle", garbage.url()), 502);
  EXPECT_EQ(JsonText(job, "error_code"), "protocol_error") << job.dump();
  FakePeer not_json([](const std::string&, const std::string&) {
    return FakePeer::Http(201, "<html>hello</html>", "text/html");
  });
  job = SyncAndWait(SyncBody("full", not_json.url()), 502);
  EXPECT_EQ(JsonText(job, "error_code"), "protocol_error") << job.dump();
  EXPECT_EQ(AllDocs(*replica_), before);
}

TEST_F(CollectionSyncIT, ReadersNeverSeeAHalfReplacedCollection) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 800, 1, "old"));
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 800, 2, "new"));
  Docs old_docs = AllDocs(*replica_);
  Docs new_docs = AllDocs(*master_);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, mixes{0};
  std::thread reader([&] {
    HttpClient client = replica_->Client();
    bool last = false;
    while (!last) {
      last = done;  // one more read after the sync ended
      auto r = client.Send("GET", "/v1/db/shop/docs/c?limit=10000");  // one page: one snapshot
      if (!r.ok()) continue;
      Docs seen;
      for (const Json& d : ParseStoredJson(r->body)) seen[JsonText(d, "key")] = JsonField(d, "document").dump();
      ++reads;
      if (seen != old_docs && seen != new_docs) ++mixes;
    }
  });
  Json job = SyncAndWait(SyncBody("full"));
  done = true;
  reader.join();
  EXPECT_EQ(JsonText(job, "state"), "done");
  EXPECT_GE(reads.load(), 1);
  EXPECT_EQ(mixes.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(AllDocs(*replica_), new_docs);
}

TEST_F(CollectionSyncIT, AnAsyncJobReportsProgressThenItsResult) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 2000, 1));
  Json body = SyncBody("full");
  body["async"] = true;
  auto r = replica_->Client().Send("POST", "/v1/db/shop/collection-sync", body.dump());
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 202);
  Json started = ParseStoredJson(r->body);
  EXPECT_EQ(JsonText(started, "state"), "running");
  EXPECT_TRUE(JsonField(started, "result").is_null());
  Json job = WaitForJob(JsonText(started, "id"));
  EXPECT_EQ(JsonText(job, "state"), "done");
  EXPECT_EQ(JsonNumber(JsonField(job, "result"), "inserted"), 2000);
  // Bytes on the wire: zstd makes the padded documents small, but not free.
  EXPECT_GT(JsonNumber(JsonField(job, "result"), "bytes_transferred"), 2000 * 4);
  EXPECT_EQ(JsonNumber(JsonField(job, "progress"), "documents"), 2000);
  Json list = Call(*replica_, "GET", "/v1/db/shop/jobs");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(JsonText(list[0], "id"), JsonText(started, "id"));
  // A finished job cannot be cancelled; an unknown one is not found.
  auto cancel = replica_->Client().Send("POST", "/v1/db/shop/jobs/cancel",
                                        Json{{"id", JsonText(started, "id")}}.dump());
  EXPECT_EQ(cancel.status().code(), Status::Code::kPreconditionFailed);
  EXPECT_EQ(replica_->Client().Send("GET", "/v1/db/shop/jobs/nope").status().code(),
            Status::Code::kNotFound);
}

TEST_F(CollectionSyncIT, AJobOutlivesAKill9OfTheReplica) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 20000, 2));
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 50, 1));
  Docs before = AllDocs(*replica_);
  TcpProxy slow(master_->port());
  slow.ThrottleDown(1 << 20);  // several seconds: the kill lands mid-transfer
  Json body = SyncBody("full", slow.url());
  body["async"] = true;
  Json started = Call(*replica_, "POST", "/v1/db/shop/collection-sync", body);
  std::string id = JsonText(started, "id");
  // Waits until documents have arrived (staged, not applied), then crashes the replica.
  for (int i = 0; i < 3000 && JsonNumber(JsonField(Job(id), "progress"), "documents") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(JsonText(Job(id), "state"), "running") << "the job ended before the kill";
  replica_->Kill9();
  replica_->Start();
  Json job = Job(id);
  EXPECT_EQ(JsonText(job, "state"), "failed") << job.dump();
  EXPECT_TRUE(JsonFlag(job, "resumable"));
  EXPECT_EQ(AllDocs(*replica_), before) << "nothing half-applied";
  slow.ThrottleDown(0);
  Json resumed = Call(*replica_, "POST", "/v1/db/shop/jobs/resume", {{"id", id}});
  EXPECT_EQ(JsonText(resumed, "state"), "running");
  Json done = WaitForJob(id);
  EXPECT_EQ(JsonText(done, "state"), "done") << done.dump();
  EXPECT_EQ(AllDocs(*replica_), AllDocs(*master_));
  EXPECT_EQ(Root(*replica_), Root(*master_));
}

// Waits until the replica holds the master's documents (the state is the signal waited for).
#define WAIT_CONVERGED()                                                            \
  do {                                                                              \
    bool same = false;                                                              \
    for (int i = 0; i < 1500 && !same; ++i) {                                       \
      same = AllDocs(*replica_) == AllDocs(*master_);                               \
      if (!same) std::this_thread::sleep_for(std::chrono::milliseconds(20));        \
    }                                                                               \
    ASSERT_TRUE(same) << "the follower never caught up";                           \
  } while (0)

TEST_F(CollectionSyncIT, FollowingConvergesAndResumesAfterRestartsOfEitherSide) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 100, 1));
  Json body = SyncBody("full");
  body["follow"] = true;
  Json job = SyncAndWait(body);
  ASSERT_EQ(JsonText(job, "state"), "done") << job.dump();
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 50, 150, 2));
  ASSERT_NO_FATAL_FAILURE(Remove(*master_, "k3"));
  WAIT_CONVERGED();
  Json followers = Call(*replica_, "GET", "/v1/db/shop/followers");
  ASSERT_EQ(followers.size(), 1u);
  EXPECT_EQ(JsonText(followers[0], "collection"), "c");
  EXPECT_EQ(JsonText(followers[0], "state"), "following");
  EXPECT_TRUE(JsonField(followers[0], "lag_etags").is_number());
  // A local write would diverge: refused.
  auto local = replica_->Client().Send("PUT", "/v1/db/shop/docs/c/mine", "{}");
  EXPECT_EQ(local.status().code(), Status::Code::kConflicted) << local.status().ToString();

  // The master restarts; writes after it come through.
  ASSERT_EQ(master_->Stop(), 0);
  master_->Start();
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 200, 210, 3));
  WAIT_CONVERGED();
  // The replica crashes; writes made meanwhile come after its restart, from its checkpoint.
  replica_->Kill9();
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 300, 320, 4));
  ASSERT_NO_FATAL_FAILURE(Remove(*master_, "k60"));
  replica_->Start();
  WAIT_CONVERGED();
  EXPECT_EQ(Root(*replica_), Root(*master_));
  Json after = Call(*replica_, "GET", "/v1/db/shop/followers");
  ASSERT_EQ(after.size(), 1u);
  // Stopping takes local writes again.
  Call(*replica_, "DELETE", "/v1/db/shop/followers/c");
  EXPECT_OK(replica_->Client().Send("PUT", "/v1/db/shop/docs/c/mine", "{}").status());
  EXPECT_EQ(Call(*replica_, "GET", "/v1/db/shop/followers").size(), 0u);
}

TEST_F(CollectionSyncIT, BadInputIsRefusedAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(PutRange(*master_, 0, 10, 1));
  ASSERT_NO_FATAL_FAILURE(PutRange(*replica_, 0, 10, 5));
  Docs before = AllDocs(*replica_);
  struct Case {
    const char* name;
    Json body;
    Status::Code code;
  };
  Json base = SyncBody("merkle");
  auto with = [&](const char* field, Json value) {
    Json b = base;
    if (value.is_null()) b.erase(field); else b[field] = value;
    return b;
  };
  const Case cases[] = {
      {"no collection", with("collection", nullptr), Status::Code::kInvalidArgument},
      {"bad collection", with("collection", "../x"), Status::Code::kInvalidArgument},
      {"no master", with("from", nullptr), Status::Code::kInvalidArgument},
      {"master not a URL", with("from", "ftp://x"), Status::Code::kInvalidArgument},
      {"unknown method", with("method", "rsync"), Status::Code::kInvalidArgument},
      {"method without incremental", with("incremental", false), Status::Code::kInvalidArgument},
      {"max_wait a string", with("max_wait", "soon"), Status::Code::kInvalidArgument},
      {"max_wait zero", with("max_wait", 0), Status::Code::kInvalidArgument},
      {"async a number", with("async", 3), Status::Code::kInvalidArgument},
      {"bad master database", with("from_db", "NO/NO"), Status::Code::kInvalidArgument},
      {"unknown master database", with("from_db", "nosuchdb"), Status::Code::kNotFound},
      {"unknown master collection", with("collection", "nosuch"), Status::Code::kNotFound},
      {"wrong master key", with("from_key", "sk_wrong"), Status::Code::kUnauthenticated},
  };
  for (const Case& c : cases) {
    auto r = replica_->Client().Send("POST", "/v1/db/shop/collection-sync", c.body.dump());
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
  }
  auto no_db = replica_->Client().Send("POST", "/v1/db/nosuch/collection-sync", base.dump());
  EXPECT_EQ(no_db.status().code(), Status::Code::kNotFound);
  auto not_json = replica_->Client().Send("POST", "/v1/db/shop/collection-sync", "{nope");
  EXPECT_EQ(not_json.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(AllDocs(*replica_), before);
  // The master's snapshot endpoints refuse what is not theirs.
  auto bad_op = master_->Client().Send("POST", "/v1/db/shop/snapshots/root", R"({"snapshot":"x"})");
  EXPECT_EQ(bad_op.status().code(), Status::Code::kNotFound);
  auto no_key = HttpClient(master_->url(), "").Send("POST", "/v1/db/shop/snapshots",
                                                     R"({"collection":"c"})");
  EXPECT_EQ(no_key.status().code(), Status::Code::kUnauthenticated);
}

}  // namespace
}  // namespace syncline::testing
