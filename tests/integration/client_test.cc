// `syncline client` and the client library against real servers: seed 002's and 003's flows
// (logins, roles, registration, unknown-client, strategies, resolvers, error handlers,
// filters), TLS, cancel in a 100,000-document pull, and kill -9 of the client mid-pull and
// mid-push over seeded runs.
#include <signal.h>

#include <random>
#include <thread>

#include "fixture.h"
#include "syncline/http_adapter.h"
#include "syncline/sync_engine.h"
#include "testing/client_flows.h"
#include "testing/tls_cert.h"
#include "util/json_reader.h"

namespace syncline::testing {

class ClientTest : public NodeTest {
 protected:
  // `syncline client VERB DIR ARGS... --json` with the node's key; `input` on stdin.
  CliResult Client(const std::string& verb, const std::string& dir, std::vector<std::string> args = {},
                   const std::string& input = "") {
    std::vector<std::string> all = {"client", verb, dir};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--json");
    return Cli(all, input);
  }
  // The last JSON line of a successful run.
  Json ClientOk(const std::string& verb, const std::string& dir, std::vector<std::string> args = {},
                const std::string& input = "") {
    CliResult r = Client(verb, dir, std::move(args), input);
    EXPECT_EQ(r.exit_code, 0) << verb << ": " << r.err;
    size_t start = r.out.rfind('\n', r.out.size() >= 2 ? r.out.size() - 2 : 0);
    std::string last = start == std::string::npos ? r.out : r.out.substr(start + 1);
    return Json::parse(last, nullptr, false);
  }
  // The error of a failed run.
  Json ClientFails(const std::string& verb, const std::string& dir, std::vector<std::string> args = {},
                   const std::string& input = "") {
    CliResult r = Client(verb, dir, std::move(args), input);
    EXPECT_NE(r.exit_code, 0) << verb << ": " << r.out;
    return Json::parse(r.err, nullptr, false);
  }
  std::string Init(const std::string& name, std::vector<std::string> extra = {},
                   const std::string& input = "") {
    std::string d = dir_.Sub(name);
    std::vector<std::string> args = {"--db", "notes"};
    args.insert(args.end(), extra.begin(), extra.end());
    // --server (added by Cli) names the server the client syncs with.
    CliResult r = Client("init", d, args, input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return d;
  }
  Json ServerDoc(const std::string& key) {
    CliResult r = Cli({"doc", "get", "notes", "n", key, "--json"});
    if (r.exit_code != 0) return nullptr;
    return JsonField(Json::parse(r.out, nullptr, false), "document");
  }
  int64_t ServerLastEtag() {
    auto r = node_->Client().Send("GET", "/v1/db/notes");
    return r.ok() ? JsonNumber(ParseStoredJson(r->body), "last_etag") : -1;
  }
  void AddUser(const std::string& name, const std::string& role) {
    CliJson({"user", "add", name, "--role", role, "--db", "notes", "--password-stdin"},
            "password-" + name + "\n");
  }
  // Writes `n` documents {"i": i} straight to the server in bulk requests.
  void ServerBulk(int n, const std::string& prefix = "d") {
    HttpClient c = node_->Client();
    for (int start = 0; start < n; start += 10000) {
      Json docs = Json::array();
      for (int i = start; i < std::min(n, start + 10000); ++i) {
        docs.push_back({{"collection", "n"}, {"key", prefix + std::to_string(i)},
                        {"document", {{"i", i}, {"pad", "abcdefghijklmnopqrstuvwxyz0123456789"}}}});
      }
      auto r = c.Send("POST", "/v1/db/notes/bulk", DumpJson({{"docs", docs}}),
                      {{"Content-Type", "application/json"}});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  void ServerPut(const std::string& key, const std::string& body) {
    auto r = node_->Client().Send("PUT", "/v1/db/notes/docs/n/" + key, body,
                                  {{"Content-Type", "application/json"}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status / 100, 2) << r->body;
  }
  void ServerDelete(const std::string& key) {
    auto r = node_->Client().Send("DELETE", "/v1/db/notes/docs/n/" + key);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // The node and library clients over HTTP to it, as the shared flows see them.
  FlowServer Server() {
    FlowServer f;
    f.put = [this](const std::string& key, const std::string& body) { ServerPut(key, body); };
    f.remove = [this](const std::string& key) { ServerDelete(key); };
    f.document = [this](const std::string& key) { return ServerDoc(key); };
    f.change_keys = [this] {
      std::vector<std::string> keys;
      auto r = node_->Client().Send("GET", "/v1/db/notes/changes?since=0");
      EXPECT_TRUE(r.ok());
      if (!r.ok()) return keys;
      Json feed = ParseStoredJson(r->body);
      for (const Json& c : JsonField(feed, "changes")) keys.push_back(JsonText(c, "key"));
      return keys;
    };
    return f;
  }
  FlowClientFactory Factory() {
    return [this](const std::string& name, const std::function<void(SyncOptions&)>& tweak) {
      FlowClient c;
      auto store = OfflineStore::Open(dir_.Sub(name + ".db"));
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      if (!store.ok()) return c;
      c.store = std::move(*store);
      SyncOptions o;
      o.collections = {"n"};
      o.platform = {"integration", "1", name};
      if (tweak) tweak(o);
      HttpAdapterOptions ho{node_->url(), "notes", node_->api_key(), "", 60};
      auto e = SyncEngine::Create(*c.store, std::make_unique<HttpAdapter>(ho), std::move(o));
      EXPECT_TRUE(e.ok()) << e.status().ToString();
      if (e.ok()) c.engine = std::move(*e);
      return c;
    };
  }

  void SetUp() override {
    NodeTest::SetUp();
    CliJson({"db", "create", "notes"});
  }
};

// The shared client flows (testing/client_flows.h) against `syncline serve` over HTTP: seed
// 003's priority records, seed 002's progress and object notifications, and background sync
// with network status on a manual clock.
TEST_F(ClientTest, PriorityDocumentsArePushedFirst) {
  PriorityDocumentsArePushedFirst(Server(), Factory());
}

TEST_F(ClientTest, NotificationsCountPagesAndNameWatchedDocuments) {
  NotificationsCountPagesAndNameWatchedDocuments(Server(), Factory());
}

TEST_F(ClientTest, BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns) {
  BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns(Server(), Factory());
}

TEST_F(ClientTest, WorksOfflineThenSyncsBothWays) {
  std::string a = Init("a", {"--collections", "n"});
  std::string b = Init("b", {"--collections", "n"});
  ClientOk("put", a, {"n", "1", R"({"t":"written offline"})"});
  ClientOk("put", a, {"n", "2", R"({"t":"two"})"});
  EXPECT_EQ(ClientOk("get", a, {"n", "1"})["t"], "written offline");
  EXPECT_TRUE(ServerDoc("1").is_null());  // nothing sent yet
  Json status = ClientOk("status", a);
  EXPECT_EQ(status["pending"], 2);
  EXPECT_EQ(status["client_id"], "");

  Json r = ClientOk("sync", a);
  EXPECT_EQ(r["result"]["uploaded"], 2);
  EXPECT_EQ(ServerDoc("1")["t"], "written offline");
  r = ClientOk("sync", b);
  EXPECT_EQ(r["result"]["downloaded"], 2);
  ClientOk("rm", b, {"n", "2"});
  ClientOk("push", b);
  EXPECT_TRUE(ServerDoc("2").is_null());
  ClientOk("sync", a);
  EXPECT_EQ(ClientFails("get", a, {"n", "2"})["error"], "not_found");
  status = ClientOk("status", a);
  EXPECT_EQ(status["pending"], 0);
  EXPECT_NE(status["client_id"], "");
  EXPECT_EQ(status["statistics"]["syncs"], 2);
  // The registered clients show on the server.
  EXPECT_EQ(CliJson({"clients", "ls", "notes"}).size(), 2u);
  // The log exports as one JSON array.
  std::string file = dir_.Sub("log.json");
  ClientOk("logs", a, {"--export", file});
  Json log = Json::parse(ReadLocal(file), nullptr, false);
  ASSERT_TRUE(log.is_array());
  EXPECT_EQ(JsonText(log.back(), "event"), "sync");
}

TEST_F(ClientTest, LoginsAndRolesAsTheSeedDescribes) {
  AddUser("writer", "write");
  AddUser("reader", "read");
  // A wrong password: 401, and no client is made.
  Json wrong = ClientFails("init", dir_.Sub("w0"),
                           {"--db", "notes", "--user", "writer", "--password-stdin"},
                           "not-the-password\n");
  EXPECT_EQ(wrong["error"], "unauthorized");
  std::string w = Init("w", {"--user", "writer", "--password-stdin", "--collections", "n"},
                       "password-writer\n");
  std::string rd = Init("r", {"--user", "reader", "--password-stdin", "--collections", "n"},
                        "password-reader\n");
  ClientOk("put", w, {"n", "1", R"({"t":"by writer"})"});
  EXPECT_EQ(ClientOk("sync", w)["result"]["uploaded"], 1);
  // A read-only user may pull, but its push is refused with 403 and its change is kept.
  ClientOk("put", rd, {"n", "2", R"({"t":"by reader"})"});
  EXPECT_EQ(ClientFails("sync", rd)["error"], "permission_denied");
  EXPECT_EQ(ClientOk("sync", rd, {"--strategy", "pull-only"})["result"]["downloaded"], 1);
  EXPECT_EQ(ClientOk("status", rd)["pending"], 1);
  // The token is revoked (a new password): 401, then a login with --password-stdin goes on.
  CliJson({"user", "passwd", "writer", "--password-stdin"}, "new-password\n");
  ClientOk("put", w, {"n", "3", R"({"t":"after"})"});
  EXPECT_EQ(ClientFails("sync", w)["error"], "unauthorized");
  EXPECT_EQ(ClientOk("sync", w, {"--password-stdin"}, "new-password\n")["result"]["uploaded"], 1);
  EXPECT_EQ(ServerDoc("3")["t"], "after");
  EXPECT_EQ(ClientOk("sync", w)["result"]["uploaded"], 0);  // the new token was kept
}

TEST_F(ClientTest, UnknownClientRegistersAgainKeepingPendingChanges) {
  std::string a = Init("a", {"--collections", "n"});
  ClientOk("put", a, {"n", "1", R"({"v":1})"});
  ClientOk("sync", a);
  std::string old_id = ClientOk("status", a)["client_id"];
  CliJson({"clients", "rm", "notes", old_id});
  ClientOk("put", a, {"n", "2", R"({"v":2})"});
  Json r = ClientOk("sync", a);
  EXPECT_EQ(r["result"]["uploaded"], 1);
  std::string new_id = ClientOk("status", a)["client_id"];
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(ServerDoc("2")["v"], 2);
  EXPECT_EQ(ClientOk("get", a, {"n", "1"})["v"], 1);
}

TEST_F(ClientTest, ResolversSettleRealConflicts) {
  std::string a = Init("a", {"--collections", "n"});
  std::string b = Init("b", {"--collections", "n"});
  ClientOk("put", a, {"n", "k", R"({"t":"base","at":1})"});
  ClientOk("sync", a);
  ClientOk("sync", b);
  ClientOk("put", a, {"n", "k", R"({"t":"from a","at":3})"});
  ClientOk("put", b, {"n", "k", R"({"t":"from b","at":2})"});
  ClientOk("sync", a);
  // timestamp:at keeps a's (newer) version; b's local copy becomes it.
  Json r = ClientOk("sync", b, {"--resolver", "timestamp:at"});
  EXPECT_EQ(r["result"]["conflicts"], 1);
  EXPECT_EQ(ClientOk("get", b, {"n", "k"})["t"], "from a");
  EXPECT_EQ(ServerDoc("k")["t"], "from a");
  // client-wins: b's next conflicting edit replaces the server's.
  ClientOk("put", a, {"n", "k", R"({"t":"a again","at":9})"});
  ClientOk("put", b, {"n", "k", R"({"t":"b again","at":1})"});
  ClientOk("sync", a);
  ClientOk("sync", b, {"--resolver", "client-wins"});
  EXPECT_EQ(ServerDoc("k")["t"], "b again");
  ClientOk("sync", a);
  EXPECT_EQ(ClientOk("get", a, {"n", "k"})["t"], "b again");
  EXPECT_EQ(ClientFails("sync", b, {"--resolver", "newest"})["error"], "invalid_argument");
}

TEST_F(ClientTest, ServerErrorsAreKeptUntilHandled) {
  CliJson({"rules", "set", "notes", "n",
           R"({"validate":{"title":{"$type":"string"}},"allow_delete":false})"});
  std::string a = Init("a", {"--collections", "n"});
  ClientOk("put", a, {"n", "ok", R"({"title":"fine"})"});
  ClientOk("put", a, {"n", "bad", R"({"title":1})"});
  Json r = ClientOk("sync", a);
  EXPECT_EQ(r["result"]["uploaded"], 1);
  ASSERT_EQ(r["result"]["errors"].size(), 1u);
  EXPECT_EQ(r["result"]["errors"][0]["error"], "create-error");
  Json errors = ClientOk("errors", a);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["code"], "validation_failed");
  std::string op = errors[0]["op_id"];
  // An action that does not fit the error is refused; delete drops it locally.
  EXPECT_EQ(ClientFails("handle", a, {op, "rollback"})["error"], "invalid_argument");
  ClientOk("handle", a, {op, "delete"});
  EXPECT_EQ(ClientFails("get", a, {"n", "bad"})["error"], "not_found");
  EXPECT_TRUE(ClientOk("errors", a).empty());
  // An update error rolls back to the server's attributes.
  ClientOk("put", a, {"n", "ok", R"({"title":2})"});
  ClientOk("sync", a, {"--on-update-error", "rollback"});
  EXPECT_EQ(ClientOk("get", a, {"n", "ok"})["title"], "fine");
  // A delete error, handled by retry: sent again, refused again, still visible.
  ClientOk("rm", a, {"n", "ok"});
  ClientOk("sync", a);
  errors = ClientOk("errors", a);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["error"], "delete-error");
  ClientOk("handle", a, {errors[0]["op_id"], "retry"});
  EXPECT_EQ(ClientOk("status", a)["failed"], 0);
  ClientOk("sync", a);
  EXPECT_EQ(ClientOk("status", a)["failed"], 1);
}

TEST_F(ClientTest, FiltersFieldsAndImport) {
  std::string lines;
  for (int i = 0; i < 12000; ++i) {
    lines += R"({"key":"k)" + std::to_string(i) + R"(","document":{"team":")" +
             (i % 3 ? "blue" : "red") + R"(","i":)" + std::to_string(i) + R"(,"body":"x"}})" + "\n";
  }
  std::string a = Init("a", {"--collections", "n"});
  EXPECT_EQ(ClientOk("import", a, {"n", "-"}, lines)["imported"], 12000);
  EXPECT_EQ(ClientOk("sync", a)["result"]["uploaded"], 12000);
  std::string b = Init("b", {"--collections", "n"});
  Json r = ClientOk("sync", b, {"--filter", R"(n={"team":"red"})", "--fields", "n=team,i"});
  EXPECT_EQ(r["result"]["downloaded"], 4000);
  EXPECT_EQ(ClientOk("get", b, {"n", "k3"}), Json::parse(R"({"team":"red","i":3})"));
  // The filter is kept; a new one sends only the difference.
  EXPECT_EQ(ClientOk("sync", b)["result"]["downloaded"], 0);
  r = ClientOk("sync", b, {"--filter", R"(n={"i":{"$lt":30}})"});
  EXPECT_EQ(ClientOk("status", b)["collections"][0]["documents"], 30);
  EXPECT_EQ(ClientFails("import", a, {"n", "-"}, "{\"key\":1}\n")["error"], "invalid_argument");
}

TEST(ClientTlsTest, SyncsOverHttpsWithAPrivateCa) {
  TempDir dir;
  TestCertificates certs = MakeTestCertificates(dir.path());
  ServerProcess node(SYNCLINE_BINARY, dir.Sub("node"));
  node.set_extra_args({"--tls-cert", certs.cert_file, "--tls-key", certs.key_file});
  node.set_ca_file(certs.ca_file);
  node.Start();
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--server", node.url(), "--api-key", node.api_key(), "--ca-file",
                             certs.ca_file, "--json"});
    return RunProcess(SYNCLINE_BINARY, args);
  };
  ASSERT_EQ(cli({"db", "create", "notes"}).exit_code, 0);
  std::string c = dir.Sub("c");
  ASSERT_EQ(cli({"client", "init", c, "--db", "notes", "--collections", "n"})
                .exit_code, 0);
  ASSERT_EQ(cli({"client", "put", c, "n", "1", R"({"t":"over tls"})"}).exit_code, 0);
  CliResult r = cli({"client", "sync", c});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  CliResult got = cli({"doc", "get", "notes", "n", "1"});
  EXPECT_NE(got.out.find("over tls"), std::string::npos) << got.out << got.err;
}

// The library over HTTP: cancel in the middle of a 100,000-document pull; the next sync
// resumes, and no document is lost or pulled twice.
TEST_F(ClientTest, CancelInTheMiddleOfALargePullLosesAndRepeatsNothing) {
  constexpr int kDocs = 100000;
  ServerBulk(kDocs);
  auto store = OfflineStore::Open(dir_.Sub("lib.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto make = [&] {
    HttpAdapterOptions ho{node_->url(), "notes", node_->api_key(), "", 60};
    SyncOptions o;
    o.collections = {"n"};
    auto e = SyncEngine::Create(**store, std::make_unique<HttpAdapter>(ho), o);
    EXPECT_TRUE(e.ok());
    return std::move(*e);
  };
  std::unique_ptr<SyncEngine> engine = make();
  int pages = 0;
  engine->SetNotification("n", [&](const SyncNotification& n) {
    if (n.status == "in_progress" && ++pages == 37) engine->Cancel();
  });
  Result<SyncResult> r = engine->Sync();
  ASSERT_EQ(r.status().code(), Status::Code::kCancelled) << r.status().ToString();
  int64_t first = *(*store)->Count("n");
  EXPECT_EQ(first % 1000, 0);  // whole pages only
  EXPECT_GE(first, 37000);
  EXPECT_LT(first, kDocs);
  engine = make();
  r = engine->Sync();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->downloaded, kDocs - first);
  EXPECT_EQ(*(*store)->Count("n"), kDocs);
  auto sample = (*store)->Get("n", "d77777");
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ((*sample)["i"], 77777);
}

// kill -9 of `client sync` at seeded moments in the middle of a pull, then of `client push`
// in the middle of a push of updates: after a restart and another sync the client and the
// server agree, no update is lost, and none is applied twice (the server's etags count them).
TEST_F(ClientTest, Kill9MidPullAndMidPushLosesNothingAndAppliesNothingTwice) {
  constexpr int kDocs = 3000;
  ServerBulk(kDocs);
  const uint64_t seed = std::getenv("SYNCLINE_SEED") ? std::stoull(std::getenv("SYNCLINE_SEED")) : 7;
  std::mt19937_64 rng(seed);
  int pulls_killed = 0, pushes_killed = 0;
  for (int run = 0; run < 6; ++run) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " run " + std::to_string(run));
    std::string c = Init("k" + std::to_string(run), {"--collections", "n"});
    std::vector<std::string> base = {"client", "sync", c, "--page-size", "100", "--server",
                                     node_->url(), "--api-key", node_->api_key()};
    // Mid-pull: kill once the server has seen a page asked for, a seeded moment later.
    pid_t pid = StartProcess(SYNCLINE_BINARY, base);
    for (int i = 0; i < 2000; ++i) {
      Json clients = ParseStoredJson(node_->Client().Send("GET", "/v1/db/notes/clients")->body);
      bool pulled = false;
      for (const Json& cl : clients) {
        for (const Json& col : JsonField(cl, "collections")) pulled |= JsonNumber(col, "etag") > 0;
      }
      if (pulled) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30000));
    ::kill(pid, SIGKILL);
    pulls_killed += WaitProcess(pid) == 128 + SIGKILL;
    ASSERT_EQ(ClientOk("sync", c, {"--page-size", "100"})["result"]["uploaded"], 0);
    EXPECT_EQ(ClientOk("status", c)["collections"][0]["documents"], kDocs);

    // Mid-push: every document updated locally, then `client push` killed part way.
    std::string lines;
    for (int i = 0; i < kDocs; ++i) {
      lines += R"({"key":"d)" + std::to_string(i) + R"(","document":{"i":)" + std::to_string(i) +
               R"(,"run":)" + std::to_string(run) + "}}\n";
    }
    ClientOk("import", c, {"n", "-"}, lines);
    const int64_t before = ServerLastEtag();
    std::vector<std::string> push = {"client", "push", c, "--batch-size", "100", "--server",
                                     node_->url(), "--api-key", node_->api_key()};
    pid = StartProcess(SYNCLINE_BINARY, push);
    for (int i = 0; i < 2000 && ServerLastEtag() == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30000));
    ::kill(pid, SIGKILL);
    pushes_killed += WaitProcess(pid) == 128 + SIGKILL;
    Json r = ClientOk("sync", c, {"--batch-size", "100"});
    EXPECT_EQ(r["result"]["conflicts"], 0);  // a batch sent again got its kept answers
    EXPECT_EQ(ClientOk("status", c)["pending"], 0);
    EXPECT_EQ(ServerLastEtag(), before + kDocs);  // each update applied exactly once
    for (int i : {0, 1234, kDocs - 1}) {
      EXPECT_EQ(ServerDoc("d" + std::to_string(i))["run"], run) << i;
    }
  }
  // The kills landed while the work was under way (a kill after the exit proves nothing).
  EXPECT_GE(pulls_killed, 4);
  EXPECT_GE(pushes_killed, 4);
}

}  // namespace syncline::testing

namespace syncline::testing {

TEST_F(ClientTest, AFieldIndexAnswersFindWithTheSameDocuments) {
  ServerBulk(3000);
  CliJson({"doc", "put", "notes", "n", "x1", R"({"i":7,"tag":"x"})"});
  Json before = CliJson({"doc", "find", "notes", "n", R"({"i":7})"});
  Json made = CliJson({"index", "create", "notes", "n", "i"});
  EXPECT_EQ(made["field"], "i");
  EXPECT_EQ(CliError({"index", "create", "notes", "n", "i"})["error"], "already_exists");
  EXPECT_EQ(CliError({"index", "create", "notes", "n", "a'b"})["error"], "invalid_argument");
  EXPECT_EQ(CliError({"index", "create", "nodb", "n", "i"})["error"], "not_found");
  EXPECT_EQ(CliError({"index", "rm", "notes", "n", "never"})["error"], "not_found");
  Json after = CliJson({"doc", "find", "notes", "n", R"({"i":7})"});
  EXPECT_EQ(after, before);
  EXPECT_EQ(after.size(), 2u);
  EXPECT_EQ(CliJson({"doc", "find", "notes", "n", R"({"i":{"$eq":7},"tag":"x"})"}).size(), 1u);
  Json ls = CliJson({"index", "ls", "notes"});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["collection"], "n");
  CliJson({"index", "rm", "notes", "n", "i"});
  EXPECT_TRUE(CliJson({"index", "ls", "notes"}).empty());
}

}  // namespace syncline::testing
