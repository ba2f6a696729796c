// The sync engine against an in-process server (Api over a real store, no sockets): every
// strategy, resolvers on real conflicts, lost answers, unknown-client, cancel, handlers,
// notifications, filters, priority, background sync on a manual clock.
#include "syncline/sync_engine.h"

#include <gtest/gtest.h>

#include "client/client_db.h"
#include "net/api.h"
#include "testing/api_adapter.h"
#include "testing/client_flows.h"
#include "testing/manual_clock.h"
#include "testing/test_util.h"
#include "util/json_reader.h"

namespace syncline {
namespace {

using testing::ApiAdapter;
using testing::TempDir;

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(server_dir_, "notes", &server_));
    api_ = std::make_unique<Api>(server_.get(), Env::Default(), "secret", "test");
  }

  struct Client {
    std::unique_ptr<OfflineStore> store;
    ApiAdapter* adapter = nullptr;  // owned by the engine
    std::unique_ptr<SyncEngine> engine;
  };

  // A client with its own store file; `tweak` adjusts the options.
  Client NewClient(const std::string& name,
                   const std::function<void(SyncOptions&)>& tweak = nullptr) {
    Client c;
    Result<std::unique_ptr<OfflineStore>> store = OfflineStore::Open(client_dir_.Sub(name + ".db"));
    EXPECT_OK(store);
    c.store = std::move(*store);
    auto adapter = std::make_unique<ApiAdapter>(api_.get(), "notes", "secret");
    c.adapter = adapter.get();
    SyncOptions o;
    o.collections = {"n"};
    o.retry_delay = std::chrono::milliseconds(0);
    o.platform = {"test", "1", name};
    if (tweak) tweak(o);
    Result<std::unique_ptr<SyncEngine>> engine =
        SyncEngine::Create(*c.store, std::move(adapter), std::move(o));
    EXPECT_OK(engine);
    if (engine.ok()) c.engine = std::move(*engine);
    return c;
  }

  ApiResponse Call(const std::string& method, const std::string& target, std::string body = "") {
    ApiRequest r{method, target, {{"authorization", "Bearer secret"}}, std::move(body), ""};
    return api_->Handle(r);
  }
  // The server's document, or null if it has none.
  Json ServerDoc(const std::string& collection, const std::string& key) {
    ApiResponse r = Call("GET", "/v1/db/notes/docs/" + collection + "/" + key);
    if (r.status != 200) return nullptr;
    return ParseStoredJson(r.body);
  }
  void ServerPut(const std::string& key, const std::string& body) {
    ASSERT_EQ(Call("PUT", "/v1/db/notes/docs/n/" + key, body).status / 100, 2);
  }

  // The in-process server and clients as the shared flows (testing/client_flows.h) see them.
  testing::FlowServer Server() {
    testing::FlowServer f;
    f.put = [this](const std::string& key, const std::string& body) { ServerPut(key, body); };
    f.remove = [this](const std::string& key) {
      EXPECT_EQ(Call("DELETE", "/v1/db/notes/docs/n/" + key).status, 200);
    };
    f.document = [this](const std::string& key) { return ServerDoc("n", key); };
    f.change_keys = [this] {
      std::vector<std::string> keys;
      Json j = ParseStoredJson(Call("GET", "/v1/db/notes/changes?since=0").body);
      for (const Json& c : JsonField(j, "changes")) keys.push_back(JsonText(c, "key"));
      return keys;
    };
    return f;
  }
  testing::FlowClientFactory Factory() {
    return [this](const std::string& name, const std::function<void(SyncOptions&)>& tweak) {
      Client c = NewClient(name, tweak);
      return testing::FlowClient{std::move(c.store), std::move(c.engine)};
    };
  }

  TempDir server_dir_, client_dir_;
  std::unique_ptr<Store> server_;
  std::unique_ptr<Api> api_;
};

TEST_F(SyncEngineTest, TwoWayCarriesWritesBetweenClients) {
  Client a = NewClient("a"), b = NewClient("b");
  ASSERT_OK(a.store->Put("n", "1", {{"t", "one"}}));
  ASSERT_OK(a.store->Put("n", "2", {{"t", "two"}}));
  ASSERT_OK(a.store->Put("n", "3", {{"t", "three"}}));
  EXPECT_TRUE(a.engine->IsPending("n", "1"));
  Result<SyncResult> ra = a.engine->Sync();
  ASSERT_OK(ra);
  EXPECT_EQ(ra->uploaded, 3);
  EXPECT_EQ(ra->downloaded, 0);  // its own writes do not come back as downloads
  EXPECT_FALSE(a.engine->IsPending("n", "1"));
  EXPECT_EQ(ServerDoc("n", "2"), Json({{"t", "two"}}));

  Result<SyncResult> rb = b.engine->Sync();
  ASSERT_OK(rb);
  EXPECT_EQ(rb->downloaded, 3);
  EXPECT_EQ(rb->collections["n"].downloaded, 3);
  ASSERT_OK(b.store->Put("n", "1", {{"t", "uno"}}));
  ASSERT_OK(b.store->Remove("n", "3"));
  ASSERT_OK(b.engine->Sync());
  EXPECT_TRUE(ServerDoc("n", "3").is_null());

  ASSERT_OK(a.engine->Sync());
  EXPECT_EQ(*a.store->Get("n", "1"), Json({{"t", "uno"}}));
  EXPECT_EQ(a.store->Get("n", "3").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(a.store->Pending("")->empty());
  EXPECT_TRUE(b.store->Pending("")->empty());
}

TEST_F(SyncEngineTest, EachResolverSettlesARealConflict) {
  struct Case {
    const char* resolver;
    const char* a_writes;
    const char* b_writes;
    const char* kept;
  };
  const Case cases[] = {
      {"server-wins", R"({"t":"a","at":2})", R"({"t":"b","at":1})", R"({"t":"a","at":2})"},
      {"client-wins", R"({"t":"a","at":2})", R"({"t":"b","at":1})", R"({"t":"b","at":1})"},
      {"timestamp:at", R"({"t":"a","at":2})", R"({"t":"b","at":3})", R"({"t":"b","at":3})"},
      {"timestamp:at", R"({"t":"a","at":4})", R"({"t":"b","at":3})", R"({"t":"a","at":4})"},
      {"merge:t/at", R"({"t":"a","at":2})", R"({"t":"b","at":1})", R"({"t":"b","at":2})"},
  };
  int round = 0;
  for (const Case& c : cases) {
    ++round;
    std::string key = "k" + std::to_string(round);
    Result<Resolver> resolver = Resolver::Parse(c.resolver);
    ASSERT_OK(resolver);
    Client a = NewClient("a" + key), b = NewClient("b" + key, [&](SyncOptions& o) {
      o.resolver = *resolver;
    });
    ServerPut(key, R"({"t":"base","at":0})");
    ASSERT_OK(a.engine->Sync());
    ASSERT_OK(b.engine->Sync());
    ASSERT_OK(a.store->Put("n", key, Json::parse(c.a_writes)));
    ASSERT_OK(b.store->Put("n", key, Json::parse(c.b_writes)));
    ASSERT_OK(a.engine->Sync());
    Result<SyncResult> rb = b.engine->Sync();
    ASSERT_OK(rb);
    EXPECT_EQ(rb->conflicts, 1) << c.resolver;
    ASSERT_OK(a.engine->Sync());
    Json kept = Json::parse(c.kept);
    EXPECT_EQ(ServerDoc("n", key), kept) << c.resolver;
    EXPECT_EQ(*a.store->Get("n", key), kept) << c.resolver;
    EXPECT_EQ(*b.store->Get("n", key), kept) << c.resolver;
    EXPECT_TRUE(b.store->Pending("")->empty()) << c.resolver;
  }
}

TEST_F(SyncEngineTest, ALostAnswerIsRetriedAndAppliedOnce) {
  Client a = NewClient("a");
  for (int i = 0; i < 5; ++i) ASSERT_OK(a.store->Put("n", std::to_string(i), {{"i", i}}));
  ASSERT_OK(a.engine->Sync());  // registers, pushes
  ASSERT_OK(a.store->Put("n", "0", {{"i", 100}}));
  a.adapter->FailNext(1, /*after_handling=*/true);  // the push is applied, its answer lost
  Result<SyncResult> r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->conflicts, 0);  // the same op id again: the server's kept answer, no conflict
  EXPECT_EQ(ServerDoc("n", "0"), Json({{"i", 100}}));
  EXPECT_TRUE(a.store->Pending("")->empty());
  // Further edits are based on the right etag: no conflict either.
  ASSERT_OK(a.store->Put("n", "0", {{"i", 101}}));
  r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->conflicts, 0);
  EXPECT_EQ(ServerDoc("n", "0"), Json({{"i", 101}}));
}

TEST_F(SyncEngineTest, TheNetworkFailingPastTheRetriesEndsTheSyncAndLosesNothing) {
  Client a = NewClient("a");
  ASSERT_OK(a.store->Put("n", "x", {{"v", 1}}));
  a.adapter->FailNext(10, false);
  Result<SyncResult> r = a.engine->Sync();
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(a.adapter->requests(), 4);  // the first try and three retries
  EXPECT_TRUE(a.engine->IsPending("n", "x"));
  a.adapter->FailNext(0, false);
  ASSERT_OK(a.engine->Sync());
  EXPECT_EQ(ServerDoc("n", "x"), Json({{"v", 1}}));
}

// A pull tells the server how many changes wait in the client's outbox; the server's client
// listing (the studio's clients page) shows it per collection.
TEST_F(SyncEngineTest, APullTellsTheServerHowManyChangesWaitToBePushed) {
  Client a = NewClient("a", [](SyncOptions& o) { o.strategy = "pull-only"; });
  ASSERT_OK(a.store->Put("n", "x", {{"v", 1}}));
  ASSERT_OK(a.store->Put("n", "y", {{"v", 2}}));
  ASSERT_OK(a.engine->Sync());
  auto pending = [&] {
    Json clients = Json::parse(Call("GET", "/v1/db/notes/clients").body);
    EXPECT_EQ(clients.size(), 1u);
    return clients[0]["collections"][0]["pending_operations"];
  };
  EXPECT_EQ(pending(), 2);
  Client b = NewClient("a2");  // two-way: pushes first, then pulls with nothing left
  ASSERT_OK(b.store->Put("n", "z", {{"v", 3}}));
  ASSERT_OK(b.engine->Sync());
  Json clients = Json::parse(Call("GET", "/v1/db/notes/clients").body);
  ASSERT_EQ(clients.size(), 2u);
  for (const Json& c : clients) {
    int64_t expected = c["platform"]["device"] == "a" ? 2 : 0;
    EXPECT_EQ(c["collections"][0]["pending_operations"], expected) << c.dump();
  }
}

TEST_F(SyncEngineTest, UnknownClientResetsKeepingPendingChanges) {
  Client a = NewClient("a");
  ServerPut("s1", R"({"v":1})");
  ASSERT_OK(a.engine->Sync());
  std::string old_id = *a.store->db().GetSetting("client_id");
  ASSERT_FALSE(old_id.empty());
  ASSERT_EQ(Call("DELETE", "/v1/db/notes/clients/" + old_id).status, 200);
  ASSERT_OK(a.store->Put("n", "mine", {{"v", 2}}));
  ServerPut("s2", R"({"v":3})");
  Result<SyncResult> r = a.engine->Sync();
  ASSERT_OK(r);
  std::string new_id = *a.store->db().GetSetting("client_id");
  EXPECT_FALSE(new_id.empty());
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(ServerDoc("n", "mine"), Json({{"v", 2}}));
  EXPECT_EQ(*a.store->Get("n", "s1"), Json({{"v", 1}}));
  EXPECT_EQ(*a.store->Get("n", "s2"), Json({{"v", 3}}));
  EXPECT_EQ(*a.store->Count("n"), 3);
}

TEST_F(SyncEngineTest, CancelStopsBetweenPagesAndTheNextSyncResumes) {
  for (int start = 0; start < 2500; start += 500) {
    Json docs = Json::array();
    for (int i = start; i < start + 500; ++i) {
      docs.push_back({{"collection", "n"}, {"key", "d" + std::to_string(i)}, {"document", {{"i", i}}}});
    }
    ApiResponse put = Call("POST", "/v1/db/notes/bulk", DumpJson({{"docs", docs}}));
    ASSERT_EQ(put.status / 100, 2) << put.body;
  }
  Client a = NewClient("a", [](SyncOptions& o) { o.page_size = 100; });
  int pulls = 0;
  a.adapter->set_before_request([&](const std::string& what) {
    if (what == "pull" && ++pulls == 6) a.engine->Cancel();
  });
  Result<SyncResult> r = a.engine->Sync();
  EXPECT_EQ(r.status().code(), Status::Code::kCancelled);
  int64_t have = *a.store->Count("n");
  EXPECT_EQ(have, 500);  // five whole pages, the sixth never applied
  a.adapter->set_before_request(nullptr);
  r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->downloaded, 2500 - have);  // nothing pulled twice
  EXPECT_EQ(*a.store->Count("n"), 2500);
}

TEST_F(SyncEngineTest, StrategiesPullOnlyAndPushOnly) {
  ServerPut("s", R"({"v":1})");
  Client p = NewClient("pull", [](SyncOptions& o) { o.strategy = "pull-only"; });
  ASSERT_OK(p.store->Put("n", "local", {{"v", 2}}));
  Result<SyncResult> r = p.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->downloaded, 1);
  EXPECT_EQ(r->uploaded, 0);
  EXPECT_TRUE(ServerDoc("n", "local").is_null());
  EXPECT_TRUE(p.engine->IsPending("n", "local"));

  Client q = NewClient("push", [](SyncOptions& o) { o.strategy = "push-only"; });
  ASSERT_OK(q.store->Put("n", "q", {{"v", 3}}));
  r = q.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->uploaded, 1);
  EXPECT_EQ(r->downloaded, 0);
  EXPECT_EQ(q.store->Get("n", "s").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(ServerDoc("n", "q"), Json({{"v", 3}}));
  // push_changes: a push with no pull, whatever the strategy.
  ASSERT_OK(p.engine->PushChanges());
  EXPECT_EQ(ServerDoc("n", "local"), Json({{"v", 2}}));
}

TEST_F(SyncEngineTest, ServerErrorsReachHandlersAndStayVisibleUntilHandled) {
  ASSERT_EQ(Call("PUT", "/v1/db/notes/rules/n",
                 R"({"validate":{"title":{"$type":"string"}},"allow_delete":false})")
                .status / 100,
            2);
  ServerPut("keep", R"({"title":"kept"})");
  std::vector<SyncNotification> seen;
  Client a = NewClient("a");
  a.engine->SetNotification("n", [&](const SyncNotification& n) { seen.push_back(n); });
  ASSERT_OK(a.engine->Sync());
  ASSERT_OK(a.store->Put("n", "bad", {{"title", 5}}));        // a create error
  ASSERT_OK(a.store->Put("n", "keep", {{"title", 7}}));       // an update error
  ASSERT_OK(a.store->Put("n", "fine", {{"title", "ok"}}));
  Result<SyncResult> r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->uploaded, 1);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].error, "create-error");
  EXPECT_EQ(r->errors[0].code, "validation_failed");
  EXPECT_EQ(r->errors[1].error, "update-error");
  ASSERT_TRUE(r->errors[1].attributes.has_value());
  EXPECT_EQ(*r->errors[1].attributes, Json({{"title", "kept"}}));
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().status, "error");
  EXPECT_EQ(seen.back().error_code, 422);
  EXPECT_EQ(seen.back().server_errors.size(), 2u);
  // Unhandled, they stay failed in the outbox and are not sent again.
  r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->uploaded, 0);
  std::vector<PendingOperation> pending = *a.store->Pending("");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].state, "failed");
  // Handled: the create is dropped, the update rolled back to the server's attributes.
  ASSERT_OK(a.store->db().Handle(pending[0].op_id, FailureAction::kDelete, 0));
  ASSERT_OK(a.store->db().Handle(pending[1].op_id, FailureAction::kRollback, 0));
  EXPECT_EQ(a.store->Get("n", "bad").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*a.store->Get("n", "keep"), Json({{"title", "kept"}}));
  EXPECT_TRUE(a.store->Pending("")->empty());
  // A delete error (deletes not allowed) with an automatic retry: sent again next sync.
  Client b = NewClient("b", [](SyncOptions& o) { o.handlers.remove = "retry"; });
  ASSERT_OK(b.engine->Sync());
  ASSERT_OK(b.store->Remove("n", "keep"));
  r = b.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->errors.size(), 0u);  // handled automatically
  EXPECT_EQ(b.store->Pending("")->size(), 1u);
  EXPECT_EQ((*b.store->Pending(""))[0].state, "pending");
}

TEST_F(SyncEngineTest, HandlersThatDoNotFitTheirErrorAreRefused) {
  auto store = OfflineStore::Open(client_dir_.Sub("x.db"));
  ASSERT_OK(store);
  SyncOptions o;
  o.handlers.create = "rollback";
  auto e = SyncEngine::Create(**store, std::make_unique<ApiAdapter>(api_.get(), "notes", "secret"),
                              o);
  EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument);
  SyncOptions o2;
  o2.strategy = "sideways";
  e = SyncEngine::Create(**store, std::make_unique<ApiAdapter>(api_.get(), "notes", "secret"), o2);
  EXPECT_EQ(e.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(SyncEngineTest, NotificationsCountPagesAndObjectNotificationsNameWatchedDocuments) {
  testing::NotificationsCountPagesAndNameWatchedDocuments(Server(), Factory());
}

TEST_F(SyncEngineTest, FiltersAndFieldsSelectWhatTheClientHolds) {
  ServerPut("a", R"({"team":"red","title":"A","body":"long a"})");
  ServerPut("b", R"({"team":"blue","title":"B","body":"long b"})");
  Json filter = {{"team", "red"}};
  Client c = NewClient("c", [&](SyncOptions& o) {
    o.filters["n"] = filter;
    o.fields["n"] = {"team", "title"};
  });
  ASSERT_OK(c.engine->Sync());
  EXPECT_EQ(*c.store->Count("n"), 1);
  EXPECT_EQ(*c.store->Get("n", "a"), Json({{"team", "red"}, {"title", "A"}}));
  // An edit of a partial document changes only its fields on the server.
  ASSERT_OK(c.store->Put("n", "a", {{"team", "red"}, {"title", "A2"}}));
  ASSERT_OK(c.engine->Sync());
  EXPECT_EQ(ServerDoc("n", "a"), Json({{"team", "red"}, {"title", "A2"}, {"body", "long a"}}));
  // A document moving out of the filter leaves the client.
  ServerPut("a", R"({"team":"blue","title":"A3","body":"x"})");
  ASSERT_OK(c.engine->Sync());
  EXPECT_EQ(*c.store->Count("n"), 0);
}

TEST_F(SyncEngineTest, AFilterChangeSendsOnlyTheDifference) {
  for (int i = 0; i < 10; ++i) {
    ServerPut("d" + std::to_string(i), i % 2 ? R"({"odd":true})" : R"({"odd":false})");
  }
  std::string path = client_dir_.Sub("f.db");
  auto store = OfflineStore::Open(path);
  ASSERT_OK(store);
  auto run = [&](Json filter) {
    SyncOptions o;
    o.collections = {"n"};
    o.filters["n"] = filter;
    auto e = SyncEngine::Create(**store, std::make_unique<ApiAdapter>(api_.get(), "notes", "secret"),
                                o);
    EXPECT_OK(e);
    return (*e)->Sync();
  };
  Result<SyncResult> r = run({{"odd", true}});
  ASSERT_OK(r);
  EXPECT_EQ(r->downloaded, 5);
  r = run({{"odd", {{"$in", {true, false}}}}});  // now every document
  ASSERT_OK(r);
  EXPECT_EQ(r->downloaded, 5);  // only the five it did not have
  EXPECT_EQ(*(*store)->Count("n"), 10);
  r = run({{"odd", false}});
  ASSERT_OK(r);
  EXPECT_EQ(*(*store)->Count("n"), 5);
  EXPECT_EQ((*store)->Get("n", "d1").status().code(), Status::Code::kNotFound);
}

TEST_F(SyncEngineTest, PriorityDocumentsArePushedFirst) {
  testing::PriorityDocumentsArePushedFirst(Server(), Factory());
}

TEST_F(SyncEngineTest, A401CallsTheLoginCallbackThenGoesOn) {
  ASSERT_EQ(Call("POST", "/v1/users",
                 R"({"name":"ann","password":"password-ann","role":"write","databases":["notes"]})")
                .status,
            201);
  int logins = 0;
  Client a = NewClient("a", [&](SyncOptions& o) {
    o.login = [&](NetworkAdapter& adapter) {
      ++logins;
      return adapter.Login("ann", "password-ann").ok();
    };
  });
  a.adapter->set_token("slt_" + std::string(64, '0'));  // expired or revoked
  ASSERT_OK(a.store->Put("n", "x", {{"v", 1}}));
  ASSERT_OK(a.engine->Sync());
  EXPECT_EQ(logins, 1);
  EXPECT_EQ(ServerDoc("n", "x"), Json({{"v", 1}}));
  // A wrong password: the sync ends unauthorized and keeps the change.
  Client b = NewClient("b", [&](SyncOptions& o) {
    o.login = [&](NetworkAdapter& adapter) { return adapter.Login("ann", "nope-nope").ok(); };
  });
  b.adapter->set_token("");
  ASSERT_OK(b.store->Put("n", "y", {{"v", 1}}));
  EXPECT_EQ(b.engine->Sync().status().code(), Status::Code::kUnauthenticated);
  EXPECT_TRUE(b.engine->IsPending("n", "y"));
}

TEST_F(SyncEngineTest, BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns) {
  testing::BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns(Server(), Factory());
}

TEST_F(SyncEngineTest, TheSyncLogExportsAsJson) {
  Client a = NewClient("a");
  a.engine->SetLogLevel(LogLevel::kDebug);
  ASSERT_OK(a.store->Put("n", "x", {{"v", 1}}));
  ASSERT_OK(a.engine->Sync());
  Result<nlohmann::json> log = a.engine->ExportLog();
  ASSERT_OK(log);
  ASSERT_TRUE(log->is_array());
  std::vector<std::string> events;
  for (const Json& e : *log) events.push_back(JsonText(e, "event"));
  EXPECT_EQ(events.front(), "registered");
  EXPECT_EQ(events.back(), "sync");
  EXPECT_NE(std::find(events.begin(), events.end(), "push"), events.end());
}

}  // namespace
}  // namespace syncline
