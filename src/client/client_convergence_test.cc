// Randomized convergence of offline clients: several clients write while offline, sync in
// random order through random connection cuts (before the server sees a request, or after it
// applied it), with a seeded resolver. After everyone syncs twice, every client and the server
// hold the same documents, nothing waits in an outbox, every value is one some client wrote,
// and under client-wins each document holds the last write of one of the clients. Seeded
// (SYNCLINE_SEED) and repeatable; SYNCLINE_SOAK_STEPS makes it longer (`make soak`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "client/client_db.h"
#include "net/api.h"
#include "syncline/sync_engine.h"
#include "testing/api_adapter.h"
#include "testing/test_util.h"
#include "util/json_reader.h"

namespace syncline {
namespace {

using testing::ApiAdapter;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct SimClient {
  std::unique_ptr<OfflineStore> store;
  ApiAdapter* adapter = nullptr;
  std::unique_ptr<SyncEngine> engine;
  std::unique_ptr<SyncEngine> pull_only;  // the same store, pulling only: local changes wait
  std::map<std::string, std::string> last_write;  // key -> the value it last wrote ("" removed)
};

void RunConvergence(uint64_t seed, int steps) {
  SCOPED_TRACE("SYNCLINE_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  std::unique_ptr<Store> server;
  ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir, "notes", &server));
  Api api(server.get(), Env::Default(), "secret", "test");
  const char* kResolvers[] = {"server-wins", "client-wins", "timestamp:at"};
  const std::string resolver_name = kResolvers[rng() % 3];
  SCOPED_TRACE("resolver " + resolver_name);
  const int kClients = 4, kKeys = 12;
  std::vector<SimClient> clients(kClients);
  for (int i = 0; i < kClients; ++i) {
    SimClient& c = clients[i];
    auto store = OfflineStore::Open(dir.Sub("c" + std::to_string(i) + ".db"));
    ASSERT_TRUE(store.ok());
    c.store = std::move(*store);
    auto adapter = std::make_unique<ApiAdapter>(&api, "notes", "secret");
    c.adapter = adapter.get();
    SyncOptions o;
    o.collections = {"n"};
    o.resolver = *Resolver::Parse(resolver_name);
    o.max_retries = 1;
    o.retry_delay = std::chrono::milliseconds(0);
    o.page_size = 1 + static_cast<int>(rng() % 5);
    o.batch_size = 1 + static_cast<int>(rng() % 5);
    SyncOptions pull = o;
    pull.strategy = "pull-only";
    auto engine = SyncEngine::Create(*c.store, std::move(adapter), std::move(o));
    ASSERT_TRUE(engine.ok());
    c.engine = std::move(*engine);
    auto puller = SyncEngine::Create(*c.store, std::make_unique<ApiAdapter>(&api, "notes", "secret"),
                                     std::move(pull));
    ASSERT_TRUE(puller.ok());
    c.pull_only = std::move(*puller);
  }
  std::set<std::string> written;  // every value any client wrote
  int64_t clock = 0;
  for (int step = 0; step < steps; ++step) {
    SimClient& c = clients[rng() % kClients];
    std::string key = "k" + std::to_string(rng() % kKeys);
    int what = static_cast<int>(rng() % 10);
    if (what < 5) {
      std::string value = "v" + std::to_string(step);
      ASSERT_OK(c.store->Put("n", key, {{"value", value}, {"at", ++clock}}));
      c.last_write[key] = value;
      written.insert(value);
    } else if (what < 7) {
      Status s = c.store->Remove("n", key);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
      if (s.ok()) c.last_write[key] = "";
    } else {
      // A sync, maybe through a cut; a failed one must leave everything to the next.
      int cut = static_cast<int>(rng() % 4);
      if (cut == 1) c.adapter->FailNext(1 + static_cast<int>(rng() % 3), false);
      if (cut == 2) c.adapter->FailNext(1 + static_cast<int>(rng() % 3), true);
      Result<SyncResult> r = rng() % 3 ? c.engine->Sync() : c.pull_only->Sync();
      c.adapter->FailNext(0, false);
      if (!r.ok()) {
        ASSERT_EQ(r.status().code(), Status::Code::kUnavailable) << r.status().ToString();
      }
    }
  }
  // Everyone syncs twice, in order, with no faults.
  for (int round = 0; round < 2; ++round) {
    for (SimClient& c : clients) ASSERT_OK(c.engine->Sync());
  }
  ApiRequest req{"POST", "/v1/db/notes/find/n", {{"authorization", "Bearer secret"}}, "{}", ""};
  ApiResponse found = api.Handle(req);
  ASSERT_EQ(found.status, 200) << found.body;
  std::map<std::string, Json> on_server;
  Json answer = ParseStoredJson(found.body);
  const Json& items = answer.is_array() ? answer : JsonField(answer, "documents");
  for (const Json& d : items) on_server[JsonText(d, "key")] = JsonField(d, "document");
  for (auto& [k, doc] : on_server) {
    EXPECT_TRUE(written.count(JsonText(doc, "value"))) << k << " holds a value nobody wrote";
  }
  for (int i = 0; i < kClients; ++i) {
    SimClient& c = clients[i];
    auto local = c.store->Find("n");
    ASSERT_TRUE(local.ok());
    std::map<std::string, Json> mine(local->begin(), local->end());
    EXPECT_EQ(mine, on_server) << "client " << i << " differs from the server";
    EXPECT_TRUE(c.store->Pending("")->empty()) << "client " << i << " still has pending changes";
  }
  if (resolver_name == "client-wins") {
    // Each document holds (or lacks) the last write of some client: none was lost in between.
    for (int k = 0; k < kKeys; ++k) {
      std::string key = "k" + std::to_string(k);
      auto it = on_server.find(key);
      std::string final_value = it == on_server.end() ? "" : JsonText(it->second, "value");
      bool someone = false;
      for (SimClient& c : clients) {
        auto w = c.last_write.find(key);
        someone |= w != c.last_write.end() && w->second == final_value;
      }
      bool untouched = it == on_server.end();
      for (SimClient& c : clients) untouched &= !c.last_write.count(key);
      EXPECT_TRUE(someone || untouched) << key << " = '" << final_value
                                        << "' is no client's last write";
    }
  }
}

TEST(ClientConvergenceTest, SeededRunsConverge) {
  const int steps = static_cast<int>(EnvOr("SYNCLINE_SOAK_STEPS", 300));
  if (const char* s = std::getenv("SYNCLINE_SEED")) {
    RunConvergence(std::strtoull(s, nullptr, 10), steps);
    return;
  }
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    RunConvergence(seed, steps);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace syncline
