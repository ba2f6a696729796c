// Server-to-server synchronization between real nodes: prompt pushes, each sync type with its
// byte counts, conflicts and their resolution (seed 000), locks, monitoring, bad destinations.
#include "sync_fixture.h"
#include "util/sha256.h"

namespace syncline::testing {

namespace {

constexpr size_t kMiB = 1u << 20;

std::string Sha256Hex(const std::string& s) { return HexEncode(Sha256(s)); }

}  // namespace

// Seed 000's setup: "sample.bin" uploaded independently to both nodes ("one" on a, "two" on
// b), then pushed from a to b. Returns that push's report.
class FileConflictTest : public SyncTest {
 protected:
  Json PushConcurrentVersions(ServerProcess& a, ServerProcess& b) {
    PutFile(a, "d", "sample.bin", "one");
    PutFile(b, "d", "sample.bin", "two");
    return SyncStart(a, "sample.bin", b.url(), b.api_key());
  }
};

TEST_F(SyncTest, ChangesArePushedWithoutAskingPromptly) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  Json added = CliJson(a, {"dest", "add", "d", b.url(), "--remote-key", b.api_key()});
  EXPECT_EQ(added["url"], b.url());
  EXPECT_EQ(added["enabled"], true);
  EXPECT_FALSE(added.contains("remote_key")) << "the key is never shown back";

  // Once the first run (at `dest add`) is done, only a change can start a push: the periodic
  // run is an hour away. (How prompt it is belongs to `make bench`, not to a test.)
  WaitQuiet({&a});
  Call(a, "PUT", "/v1/db/d/docs/c/k1", R"({"v":1})");
  PutFile(a, "d", "f.bin", RandomBytes(300000, 1));
  ASSERT_TRUE(WaitUntil([&] { return !ContentHashOf(b, "d", "f.bin").empty(); }, 60));
  EXPECT_EQ(Call(b, "GET", "/v1/db/d/docs/c/k1")["v"], 1);
  EXPECT_EQ(ContentHashOf(b, "d", "f.bin"), ContentHashOf(a, "d", "f.bin"));

  Json dests = CliJson(a, {"dest", "ls", "d"});
  ASSERT_EQ(dests.size(), 1u);
  EXPECT_TRUE(dests[0]["last_error"].is_null());

  // Disabled: changes stay here (the node says no worker pushes there); enabled: they flow.
  CliJson(a, {"dest", "disable", "d", b.url()});
  Call(a, "PUT", "/v1/db/d/docs/c/k2", R"({"v":2})");
  EXPECT_EQ(WorkerState(a, b.url()), "none");
  HttpClient cb = b.Client();
  EXPECT_FALSE(cb.Send("GET", "/v1/db/d/docs/c/k2").ok());
  CliJson(a, {"dest", "enable", "d", b.url()});
  EXPECT_TRUE(WaitUntil([&] { return cb.Send("GET", "/v1/db/d/docs/c/k2").ok(); }, 5));

  CliJson(a, {"dest", "rm", "d", b.url()});
  EXPECT_EQ(CliJson(a, {"dest", "ls", "d"}).size(), 0u);
}

TEST_F(SyncTest, ThePeriodicRunRepairsADestinationThatLostItsData) {
  ServerProcess& a = AddNodeWithDb({"--sync-interval", "1"});
  ServerProcess& b = AddNodeWithDb();
  Call(a, "PUT", "/v1/db/d/docs/c/k", R"({"v":1})");
  AddDestination(a, "d", b.url(), b.api_key());
  HttpClient cb = b.Client();
  ASSERT_TRUE(WaitUntil([&] { return cb.Send("GET", "/v1/db/d/docs/c/k").ok(); }, 5));
  // b loses everything; nothing changes on a, so only the periodic run can notice.
  Call(b, "DELETE", "/v1/db/d");
  CreateDb(b, "d");
  EXPECT_TRUE(WaitUntil([&] { return cb.Send("GET", "/v1/db/d/docs/c/k").ok(); }, 5));
}

TEST_F(SyncTest, RunStartsAtMostTheLimitUnlessForced) {
  ServerProcess& a = AddNodeWithDb({"--manual-sync", "--sync-limit", "2"});
  ServerProcess& b = AddNodeWithDb();
  for (int i = 0; i < 5; ++i) PutFile(a, "d", "f" + std::to_string(i), RandomBytes(1000, i));
  AddDestination(a, "d", b.url(), b.api_key());
  EXPECT_EQ(WorkerState(a, b.url()), "none") << "--manual-sync: nothing moves by itself";
  EXPECT_TRUE(FileMeta(b, "d", "f0").is_null());

  Json runs = CliJson(a, {"sync", "run", "d"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["reports"].size(), 2u) << "at most --sync-limit items start";
  Json pending = CliJson(a, {"sync", "pending", "d"});
  EXPECT_EQ(pending["total"], 3) << pending;

  runs = CliJson(a, {"sync", "run", "d", "--force"});
  EXPECT_EQ(runs[0]["reports"].size(), 3u) << "finished items start the pending ones";
  EXPECT_EQ(CliJson(a, {"sync", "pending", "d"})["total"], 0);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(FileMeta(b, "d", "f" + std::to_string(i)).is_null()) << i;
  EXPECT_TRUE(CliJson(a, {"sync", "active", "d"})["items"].empty());
}

TEST_F(SyncTest, EachSyncTypeMovesOnlyWhatItNeeds) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  auto start = [&](const std::string& name) { return SyncStart(a, name, b.url(), b.api_key()); };
  std::string data = RandomBytes(4 * kMiB, 7);
  PutFile(a, "d", "big.bin", data);

  Json r = start("big.bin");
  EXPECT_EQ(r["type"], "content-update");
  EXPECT_TRUE(r["error"].is_null()) << r;
  EXPECT_GT(r["need_list_length"].get<int>(), 10);
  EXPECT_GE(r["bytes_transferred"].get<int64_t>(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(r["bytes_copied"], 0);
  for (const char* field : {"name", "collection", "etag", "type", "error", "bytes_transferred",
                            "bytes_copied", "need_list_length", "source_node", "source_url",
                            "destination_url", "started_at", "finished_at"}) {
    EXPECT_TRUE(r.contains(field)) << field;
  }
  EXPECT_EQ(r["source_url"], a.url());
  EXPECT_EQ(r["destination_url"], b.url());
  EXPECT_EQ(ContentHashOf(b, "d", "big.bin"), ContentHashOf(a, "d", "big.bin"));

  // A small edit in the middle: only the chunks around it travel.
  data.replace(2 * kMiB, 100, std::string(100, 'x'));
  PutFile(a, "d", "big.bin", data);
  r = start("big.bin");
  EXPECT_EQ(r["type"], "content-update");
  EXPECT_LE(r["need_list_length"].get<int>(), 3);
  EXPECT_LT(r["bytes_transferred"].get<int64_t>(), static_cast<int64_t>(kMiB));
  EXPECT_GT(r["bytes_copied"].get<int64_t>(), static_cast<int64_t>(3 * kMiB));
  EXPECT_EQ(ContentHashOf(b, "d", "big.bin"), ContentHashOf(a, "d", "big.bin"));

  // Metadata only: no content.
  Call(a, "PATCH", "/v1/db/d/meta/big.bin", R"({"set":{"owner":"ann"}})");
  r = start("big.bin");
  EXPECT_EQ(r["type"], "metadata-update");
  EXPECT_EQ(r["bytes_transferred"], 0);
  EXPECT_EQ(FileMeta(b, "d", "big.bin")["metadata"]["owner"], "ann");

  // Rename: no content either.
  Call(a, "POST", "/v1/db/d/rename", R"({"from":"big.bin","to":"moved.bin"})");
  r = start("big.bin");
  EXPECT_EQ(r["type"], "rename");
  EXPECT_EQ(r["bytes_transferred"], 0);
  EXPECT_TRUE(FileMeta(b, "d", "big.bin").is_null());
  EXPECT_EQ(ContentHashOf(b, "d", "moved.bin"), ContentHashOf(a, "d", "moved.bin"));
  EXPECT_EQ(FileMeta(b, "d", "moved.bin")["metadata"]["owner"], "ann");

  // Delete: a tombstone.
  Call(a, "DELETE", "/v1/db/d/files/moved.bin");
  r = start("moved.bin");
  EXPECT_EQ(r["type"], "delete");
  EXPECT_TRUE(FileMeta(b, "d", "moved.bin").is_null());

  // Documents too, with --collection.
  Call(a, "PUT", "/v1/db/d/docs/people/ann", R"({"age":30})");
  r = CliJson(a, {"sync", "start", "d", "ann", "--collection", "people", "--to", b.url(),
                  "--to-key", b.api_key()});
  EXPECT_EQ(r["collection"], "people");
  EXPECT_TRUE(r["error"].is_null()) << r;
  EXPECT_EQ(Call(b, "GET", "/v1/db/d/docs/people/ann")["age"], 30);

  // The destination lists what it received; the status of one item is its last report.
  Json finished = CliJson(b, {"sync", "finished", "d", "--page-size", "2"});
  EXPECT_EQ(finished["items"].size(), 2u);
  EXPECT_GE(finished["total"].get<int>(), 3);
  Json status = CliJson(b, {"sync", "status", "d", "moved.bin"});
  EXPECT_EQ(status["type"], "delete");
}

TEST_F(FileConflictTest, ConflictResolvedWithTheRemoteVersion) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  Json r = PushConcurrentVersions(a, b);
  ASSERT_TRUE(r["error"].is_string()) << r;
  EXPECT_EQ(r["error"], "file sample.bin is conflicted");
  EXPECT_EQ(FileMeta(b, "d", "sample.bin")["conflict"], true);
  EXPECT_EQ(FileMeta(a, "d", "sample.bin")["conflict"], false);
  Json conflicts = CliJson(b, {"conflicts", "ls", "d"});
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0]["name"], "sample.bin");
  EXPECT_EQ(conflicts[0]["remote_url"], a.url());
  EXPECT_EQ(ContentHashOf(b, "d", "sample.bin"), Sha256Hex("two")) << "the local one stays";

  CliJson(b, {"conflicts", "resolve", "d", "sample.bin", "--keep", "remote"});
  r = SyncStart(a, "sample.bin", b.url(), b.api_key());
  EXPECT_TRUE(r["error"].is_null()) << r;
  EXPECT_EQ(FileMeta(b, "d", "sample.bin")["conflict"], false);
  EXPECT_EQ(CliJson(b, {"conflicts", "ls", "d"}).size(), 0u);
  EXPECT_EQ(ContentHashOf(b, "d", "sample.bin"), Sha256Hex("one"));
}

TEST_F(FileConflictTest, ConflictResolvedWithTheCurrentVersionFlowsBack) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  Json r = PushConcurrentVersions(a, b);
  ASSERT_EQ(r["error"], "file sample.bin is conflicted");

  CliJson(b, {"conflicts", "resolve", "d", "sample.bin", "--keep", "current"});
  // "The source" gets the destination's version.
  r = SyncStart(b, "sample.bin", a.url(), a.api_key());
  EXPECT_TRUE(r["error"].is_null()) << r;
  EXPECT_EQ(FileMeta(a, "d", "sample.bin")["conflict"], false);
  EXPECT_EQ(CliJson(a, {"conflicts", "ls", "d"}).size(), 0u);
  EXPECT_EQ(ContentHashOf(a, "d", "sample.bin"), Sha256Hex("two"));
  // And a push the other way now finds nothing to do: both sides converged.
  r = SyncStart(a, "sample.bin", b.url(), b.api_key());
  EXPECT_TRUE(r["error"].is_null()) << r;
  EXPECT_EQ(ContentHashOf(b, "d", "sample.bin"), Sha256Hex("two"));
}

TEST_F(SyncTest, DocumentConflictInMasterMasterConvergesAfterResolve) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  Call(a, "PUT", "/v1/db/d/docs/c/k", R"({"from":"a"})");
  Call(b, "PUT", "/v1/db/d/docs/c/k", R"({"from":"b"})");
  AddDestination(a, "d", b.url(), b.api_key());
  AddDestination(b, "d", a.url(), a.api_key());
  ASSERT_TRUE(WaitUntil([&] {
    return Call(a, "GET", "/v1/db/d/conflicts").size() == 1 &&
           Call(b, "GET", "/v1/db/d/conflicts").size() == 1;
  }));
  Json runs = CliJson(a, {"sync", "run", "d"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0]["error"].is_null());

  CliJson(a, {"conflicts", "resolve", "d", "k", "--collection", "c", "--keep", "current"});
  ASSERT_TRUE(WaitUntil([&] { return Call(b, "GET", "/v1/db/d/docs/c/k")["from"] == "a"; }));
  EXPECT_TRUE(WaitUntil([&] {
    return Call(a, "GET", "/v1/db/d/conflicts").empty() && Call(b, "GET", "/v1/db/d/conflicts").empty();
  }));
  // Quiet afterwards: nothing bounces between the two.
  std::vector<int64_t> quiet = WaitQuiet({&a, &b});
  CliJson(a, {"sync", "run", "d", "--force"});
  CliJson(b, {"sync", "run", "d", "--force"});
  EXPECT_EQ(WaitQuiet({&a, &b}), quiet);
}

// Issue 7, point 10: a write to a conflicted item is never lost silently. A plain write is
// refused with 409 conflicted; the GET says the item is conflicted; a write that says it
// resolves the conflict wins everywhere; a resolve states what it discards and is refused if
// the current version changed since the caller looked.
TEST_F(SyncTest, AWriteToAConflictedItemIsRefusedUnlessItResolvesIt) {
  ServerProcess& a = AddNodeWithDb({"--sync-interval", "3600", "--manual-sync"});
  ServerProcess& b = AddNodeWithDb({"--sync-interval", "3600", "--manual-sync"});
  for (const char* key : {"k", "m"}) {
    Call(a, "PUT", std::string("/v1/db/d/docs/c/") + key, R"({"from":"a"})");
    Call(b, "PUT", std::string("/v1/db/d/docs/c/") + key, R"({"from":"b"})");
  }
  AddDestination(b, "d", a.url(), a.api_key());
  CliJson(b, {"sync", "run", "d", "--force"});
  ASSERT_EQ(Call(a, "GET", "/v1/db/d/conflicts").size(), 2u);

  // The conflict shows on a plain read.
  Json got = CliJson(a, {"doc", "get", "d", "c", "k"});
  EXPECT_EQ(got["conflict"], true) << got;
  // A plain write is refused, says how to resolve, and changes nothing.
  CliResult put = Cli(a, {"doc", "put", "d", "c", "k", R"({"from":"a2"})", "--json"});
  EXPECT_NE(put.exit_code, 0);
  Json err = Json::parse(put.err, nullptr, false);
  EXPECT_EQ(err["error"], "conflicted") << put.err;
  EXPECT_NE(err["message"].get<std::string>().find("resolve"), std::string::npos) << put.err;
  EXPECT_EQ(Call(a, "GET", "/v1/db/d/docs/c/k")["from"], "a");
  HttpClient ca = a.Client();
  auto del = ca.Send("DELETE", "/v1/db/d/docs/c/k");
  EXPECT_EQ(del.status().code(), Status::Code::kConflicted) << del.status().ToString();

  // A write that resolves: it replaces both versions, the conflict goes, and it wins on b too.
  Json resolved = CliJson(a, {"doc", "put", "d", "c", "k", R"({"from":"a2"})", "--resolve"});
  EXPECT_EQ(CliJson(a, {"doc", "get", "d", "c", "k"})["conflict"], false);
  AddDestination(a, "d", b.url(), b.api_key());
  CliJson(a, {"sync", "run", "d", "--force"});
  EXPECT_EQ(Call(b, "GET", "/v1/db/d/docs/c/k")["from"], "a2");
  EXPECT_EQ(Call(a, "GET", "/v1/db/d/docs/c/k")["from"], "a2");

  // Resolving with an etag that is no longer current is refused; with the shown one it works
  // and says what it discarded.
  Json shown = CliJson(a, {"conflicts", "show", "d", "m", "--collection", "c"});
  int64_t etag = shown["local_etag"];
  CliResult stale = Cli(a, {"conflicts", "resolve", "d", "m", "--collection", "c", "--keep",
                            "remote", "--if-match", std::to_string(etag - 1), "--json"});
  EXPECT_NE(stale.exit_code, 0);
  EXPECT_EQ(Json::parse(stale.err, nullptr, false)["error"], "precondition_failed") << stale.err;
  Json done = CliJson(a, {"conflicts", "resolve", "d", "m", "--collection", "c", "--keep",
                          "remote", "--if-match", std::to_string(etag)});
  EXPECT_EQ(done["discarded"]["side"], "current") << done;
  EXPECT_EQ(done["discarded"]["etag"], etag) << done;
  EXPECT_EQ(Call(a, "GET", "/v1/db/d/docs/c/m")["from"], "b");
  EXPECT_TRUE(Call(a, "GET", "/v1/db/d/conflicts").empty());
}

TEST_F(SyncTest, ALockedItemRefusesOtherWritesUntilReleasedOrExpired) {
  ServerProcess& b = AddNodeWithDb({"--sync-interval", "3600", "--sync-lock-timeout", "2"});
  // A real source pushes through a slow proxy, so the push holds the lock for a while.
  ServerProcess& a = AddNodeWithDb();
  PutFile(a, "d", "f.bin", RandomBytes(100000, 3));
  TcpProxy proxy(b.port());
  proxy.Throttle(20000);  // 100 KB at 20 KB/s: the push holds the lock for seconds
  std::thread push([&] {
    SyncStart(a, "f.bin", proxy.url(), b.api_key());
  });
  // The lock shows as refused writes on b. The probe changes nothing either way: before the
  // lock the file is absent there (404), under it every write gets 412.
  HttpClient cb = b.Client();
  auto locked = [&](const std::string& name) {
    auto r = cb.Send("PATCH", "/v1/db/d/meta/" + name, R"({"set":{"x":"y"}})");
    return r.status().code() == Status::Code::kPreconditionFailed;
  };
  ASSERT_TRUE(WaitUntil([&] { return locked("f.bin"); }, 5)) << "a write during the sync must get 412";
  auto r = cb.Send("PUT", "/v1/db/d/files/f.bin", "mine");
  EXPECT_EQ(r.status().code(), Status::Code::kPreconditionFailed);
  EXPECT_EQ(cb.Send("DELETE", "/v1/db/d/files/f.bin").status().code(),
            Status::Code::kPreconditionFailed);
  proxy.Throttle(0);
  push.join();
  EXPECT_EQ(ContentHashOf(b, "d", "f.bin"), ContentHashOf(a, "d", "f.bin"));
  EXPECT_TRUE(cb.Send("PUT", "/v1/db/d/files/f.bin", "mine").ok()) << "released at the end";

  // A lock left behind (the source vanished mid-push) expires after --sync-lock-timeout.
  PutFile(a, "d", "g.bin", RandomBytes(200000, 4));
  proxy.Throttle(20000);
  std::thread stuck([&] {
    Cli(a, {"sync", "start", "d", "g.bin", "--to", proxy.url(), "--to-key", b.api_key()});
  });
  ASSERT_TRUE(WaitUntil([&] { return locked("g.bin"); }, 5));
  proxy.SetPartitioned(true);  // the source is gone
  stuck.join();
  EXPECT_FALSE(cb.Send("PUT", "/v1/db/d/files/g.bin", "mine").ok()) << "still locked";
  EXPECT_TRUE(WaitUntil([&] { return cb.Send("PUT", "/v1/db/d/files/g.bin", "mine").ok(); }, 5))
      << "the lock expires after its timeout";
}

TEST_F(SyncTest, BadDestinationsShowClearErrorsAndLoseNothing) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  Call(a, "PUT", "/v1/db/d/docs/c/k", R"({"v":1})");

  // Malformed input changes nothing.
  CliResult bad = Cli(a, {"dest", "add", "d", "ftp://x", "--json"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("invalid_argument"), std::string::npos) << bad.err;
  EXPECT_EQ(CliJson(a, {"dest", "ls", "d"}).size(), 0u);
  EXPECT_NE(Cli(a, {"dest", "add", "nodb", b.url()}).exit_code, 0);

  // Unreachable: a port nobody listens on.
  TcpProxy closed(1);
  closed.SetPartitioned(true);
  AddDestination(a, "d", closed.url(), "k");
  // Wrong key, and a database the destination lacks.
  Call(a, "POST", "/v1/db/d/destinations", Json{{"url", b.url()}, {"remote_key", "sk_wrong"}}.dump());
  CliResult run = Cli(a, {"sync", "run", "d", "--json"});
  EXPECT_NE(run.exit_code, 0);
  Json runs = Json::parse(run.out, nullptr, false);
  ASSERT_EQ(runs.size(), 2u) << run.out;
  for (const auto& d : runs) {
    ASSERT_TRUE(d["error"].is_string()) << d;
    std::string e = d["error"];
    if (d["destination_url"] == b.url()) {
      EXPECT_NE(e.find("wrong API key"), std::string::npos) << e;
    } else {
      EXPECT_NE(e.find("failed"), std::string::npos) << e;
    }
  }
  Json dests = CliJson(a, {"dest", "ls", "d"});
  for (const auto& d : dests) EXPECT_TRUE(d["last_error"].is_string()) << d;

  Call(a, "POST", "/v1/db/d/destinations",
       Json{{"url", b.url()}, {"remote_key", b.api_key()}, {"remote_db", "missing"}}.dump());
  runs = Json::parse(Cli(a, {"sync", "run", "d", "--json"}).out, nullptr, false);
  for (const auto& d : runs) {
    if (d["destination_url"] == b.url()) {
      EXPECT_NE(d["error"].get<std::string>().find("database 'missing' not found"), std::string::npos) << d;
    }
  }
  // Fixed: the change was never lost and arrives.
  Call(a, "POST", "/v1/db/d/destinations", Json{{"url", b.url()}, {"remote_key", b.api_key()}}.dump());
  HttpClient cb = b.Client();
  EXPECT_TRUE(WaitUntil([&] { return cb.Send("GET", "/v1/db/d/docs/c/k").ok(); }, 5));
  EXPECT_EQ(a.log().find("Assertion"), std::string::npos);
}

TEST_F(SyncTest, MasterSlaveOnlyOneWayAndRingConverges) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  ServerProcess& c = AddNodeWithDb();
  // Master/slave: a -> b. A change on b stays on b.
  AddDestination(a, "d", b.url(), b.api_key());
  Call(a, "PUT", "/v1/db/d/docs/c/from-a", "{}");
  Call(b, "PUT", "/v1/db/d/docs/c/from-b", "{}");
  HttpClient ca = a.Client(), cb = b.Client(), cc = c.Client();
  ASSERT_TRUE(WaitUntil([&] { return cb.Send("GET", "/v1/db/d/docs/c/from-a").ok(); }));
  WaitQuiet({&a, &b});
  EXPECT_FALSE(ca.Send("GET", "/v1/db/d/docs/c/from-b").ok());

  // A ring a -> b -> c -> a: every change reaches every node, then all is quiet.
  AddDestination(b, "d", c.url(), c.api_key());
  AddDestination(c, "d", a.url(), a.api_key());
  Call(c, "PUT", "/v1/db/d/docs/c/from-c", "{}");
  PutFile(b, "d", "f.bin", RandomBytes(200000, 9));
  for (auto* cl : {&ca, &cb, &cc}) {
    for (const char* k : {"from-a", "from-b", "from-c"}) {
      EXPECT_TRUE(WaitUntil([&] { return cl->Send("GET", std::string("/v1/db/d/docs/c/") + k).ok(); }))
          << k;
    }
  }
  for (auto* n : {&a, &c}) {
    EXPECT_TRUE(WaitUntil([&] { return ContentHashOf(*n, "d", "f.bin") == ContentHashOf(b, "d", "f.bin"); }));
  }
  // Quiet: every worker idle at its database's last etag; a forced run of each changes nothing.
  std::vector<int64_t> quiet = WaitQuiet({&a, &b, &c});
  for (auto* n : {&a, &b, &c}) CliJson(*n, {"sync", "run", "d", "--force"});
  EXPECT_EQ(WaitQuiet({&a, &b, &c}), quiet);
}

}  // namespace syncline::testing
