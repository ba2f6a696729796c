// Randomized convergence: three nodes in master/master, each pair through a TcpProxy. Random
// writes, deletes, renames and metadata changes on random nodes, with random connection cuts,
// partitions and restarts (clean and kill -9). Then heal, resolve conflicts, and check that
// every node holds the same items and that no acknowledged write was lost.
// Seeded and repeatable: SYNCLINE_SEED picks the seed, SYNCLINE_SOAK_STEPS the length (`make
// soak` runs a long one).
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "sync_fixture.h"
#include "util/sha256.h"

namespace syncline::testing {

namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// What an item looks like, comparably: a document's body, or a file's content hash; "" if gone.
using Snapshot = std::map<std::string, std::string>;

// The last acknowledged operation on an item, and every node that ever touched it.
struct History {
  std::set<int> writers;
  std::string last;  // the state that operation left ("" for a delete)
};

}  // namespace

class ConvergenceTest : public SyncTest {
 protected:
  Snapshot Take(ServerProcess& n) {
    Snapshot s;
    Json docs = Call(n, "GET", "/v1/db/d/docs/c?limit=10000");
    for (const auto& d : docs) s["doc:" + d["key"].get<std::string>()] = d["document"].dump();
    Json files = Call(n, "GET", "/v1/db/d/files?limit=10000");
    for (const auto& f : files) s["file:" + f["name"].get<std::string>()] = f["content_hash"];
    return s;
  }
  size_t ConflictCount(ServerProcess& n) { return Call(n, "GET", "/v1/db/d/conflicts").size(); }
};

TEST_F(ConvergenceTest, ThreeMastersConvergeUnderRandomFaults) {
  const uint64_t seed = EnvOr("SYNCLINE_SEED", 20261122);
  const uint64_t steps = EnvOr("SYNCLINE_SOAK_STEPS", 300);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", " + std::to_string(steps) + " steps");
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return static_cast<int>(rng() % n); };

  constexpr int kNodes = 3;
  for (int i = 0; i < kNodes; ++i) {
    AddNodeWithDb({"--sync-interval", "2", "--sync-lock-timeout", "5"});
  }
  // proxy[i][j]: node i's way to node j.
  std::map<std::pair<int, int>, std::unique_ptr<TcpProxy>> proxy;
  for (int i = 0; i < kNodes; ++i) {
    for (int j = 0; j < kNodes; ++j) {
      if (i == j) continue;
      proxy[{i, j}] = std::make_unique<TcpProxy>(node(j).port());
      AddDestination(node(i), "d", proxy[{i, j}]->url(), node(j).api_key());
    }
  }

  std::map<std::string, History> history;
  auto acknowledge = [&](const std::string& item, int n, const std::string& state) {
    history[item].writers.insert(n);
    history[item].last = state;
  };
  int ops = 0, refused = 0, cuts = 0, restarts = 0;
  for (uint64_t step = 0; step < steps; ++step) {
    int n = pick(kNodes);
    HttpClient c = node(n).Client();
    int roll = pick(100);
    // A third of the names are private to one node, so some items have a single writer whose
    // last acknowledged write must survive exactly.
    bool mine = pick(3) == 0;
    std::string owner = mine ? "n" + std::to_string(n) + "-" : "";
    std::string doc = owner + "k" + std::to_string(pick(12));
    std::string file = owner + "f" + std::to_string(pick(6)) + ".bin";
    if (roll < 35) {
      std::string body = Json{{"step", step}, {"node", n}}.dump();
      auto r = c.Send("PUT", "/v1/db/d/docs/c/" + doc, body);
      if (r.ok()) acknowledge("doc:" + doc, n, Json::parse(body).dump());
      else ++refused;
    } else if (roll < 50) {
      std::string data = RandomBytes(1000 + pick(60000), rng());
      auto r = c.Send("PUT", "/v1/db/d/files/" + file, data);
      if (r.ok()) acknowledge("file:" + file, n, HexEncode(Sha256(data)));
      else ++refused;
    } else if (roll < 58) {
      bool is_doc = pick(2) == 0;
      auto r = c.Send("DELETE", is_doc ? "/v1/db/d/docs/c/" + doc : "/v1/db/d/files/" + file);
      if (r.ok()) acknowledge(is_doc ? "doc:" + doc : "file:" + file, n, "");
    } else if (roll < 65) {
      std::string to = owner + "f" + std::to_string(pick(6)) + ".bin";
      auto r = c.Send("POST", "/v1/db/d/rename", Json{{"from", file}, {"to", to}}.dump());
      if (r.ok()) {
        acknowledge("file:" + file, n, "");
        acknowledge("file:" + to, n, Json::parse(r->body)["content_hash"]);
      }
    } else if (roll < 72) {
      auto r = c.Send("PATCH", "/v1/db/d/meta/" + file,
                      Json{{"set", {{"step", std::to_string(step)}}}}.dump());
      if (r.ok()) history["file:" + file].writers.insert(n);  // content unchanged
    } else if (roll < 82) {
      int i = pick(kNodes), j = (i + 1 + pick(kNodes - 1)) % kNodes;
      proxy[{i, j}]->CutAll();
      ++cuts;
    } else if (roll < 86) {
      int i = pick(kNodes), j = (i + 1 + pick(kNodes - 1)) % kNodes;
      proxy[{i, j}]->SetPartitioned(pick(2) == 0);
    } else if (roll < 88) {
      if (pick(2) == 0) node(n).Kill9();
      else node(n).Stop();
      node(n).Start();
      ++restarts;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + pick(20)));
    }
    ++ops;
  }

  // Heal: no partitions; run every node until nothing moves; resolve conflicts one node at a
  // time (a resolution descends from both sides, so it wins everywhere it travels).
  for (auto& [_, p] : proxy) p->SetPartitioned(false);
  bool converged = false;
  for (int round = 0; round < 40 && !converged; ++round) {
    for (int i = 0; i < kNodes; ++i) Call(node(i), "POST", "/v1/db/d/sync/run?force=1");
    for (int i = 0; i < kNodes; ++i) {
      Json conflicts = Call(node(i), "GET", "/v1/db/d/conflicts");
      for (const auto& cf : conflicts) {
        Json body = {{"name", cf["name"]}, {"keep", "current"}};
        if (cf["collection"].is_string()) body["collection"] = cf["collection"];
        HttpClient c = node(i).Client();
        (void)c.Send("POST", "/v1/db/d/conflicts/resolve", body.dump());  // may race a sync: next round
      }
      if (!conflicts.empty()) break;
    }
    Snapshot s0 = Take(node(0));
    converged = true;
    for (int i = 0; i < kNodes; ++i) {
      converged = converged && ConflictCount(node(i)) == 0 && (i == 0 || Take(node(i)) == s0);
    }
  }
  ASSERT_TRUE(converged) << "nodes still differ after healing (ops " << ops << ", cuts " << cuts
                         << ", restarts " << restarts << ")";

  // No acknowledged write lost: an item only one node ever touched ends as that node left it.
  Snapshot final_state = Take(node(0));
  int checked = 0;
  for (const auto& [item, h] : history) {
    if (h.writers.size() != 1) continue;
    auto it = final_state.find(item);
    std::string now = it == final_state.end() ? "" : it->second;
    EXPECT_EQ(now, h.last) << item << " lost its last acknowledged write";
    ++checked;
  }
  EXPECT_GT(final_state.size(), 5u) << "the run should leave items behind";
  std::cout << "seed " << seed << ": " << ops << " ops, " << refused << " refused, " << cuts
            << " cuts, " << restarts << " restarts, " << final_state.size() << " items, "
            << checked << " single-writer items checked\n";
  RecordProperty("single_writer_items_checked", checked);
  RecordProperty("refused_writes", refused);
}

}  // namespace syncline::testing
