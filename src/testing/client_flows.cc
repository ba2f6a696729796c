#include "testing/client_flows.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "testing/manual_clock.h"
#include "testing/test_util.h"

namespace syncline::testing {

void PriorityDocumentsArePushedFirst(const FlowServer& server, const FlowClientFactory& make) {
  FlowClient a = make("prio", [](SyncOptions& o) {
    o.batch_size = 1;
    o.priority = [](const std::string&, const Json& d) { return d.contains("urgent"); };
  });
  ASSERT_TRUE(a.engine);
  for (int i = 0; i < 5; ++i) {
    Json doc = {{"v", i}};
    if (i == 3) doc["urgent"] = true;
    ASSERT_OK(a.store->Put("n", "k" + std::to_string(i), doc));
  }
  Result<SyncResult> r = a.engine->Sync();
  ASSERT_OK(r);
  EXPECT_EQ(r->uploaded, 5);
  std::vector<std::string> keys = server.change_keys();
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(keys[0], "k3") << "the urgent document first";
  EXPECT_EQ(keys[1], "k0") << "the others keep their order";
}

void NotificationsCountPagesAndNameWatchedDocuments(const FlowServer& server,
                                                    const FlowClientFactory& make) {
  for (int i = 0; i < 25; ++i) server.put("d" + std::to_string(i), R"({"v":1})");
  FlowClient a = make("notify", [](SyncOptions& o) { o.page_size = 10; });
  ASSERT_TRUE(a.engine);
  std::vector<SyncNotification> mine, all;
  std::vector<ObjectNotification> objects;
  a.engine->SetNotification("n", [&](const SyncNotification& n) { mine.push_back(n); });
  a.engine->SetNotification("*", [&](const SyncNotification& n) { all.push_back(n); });
  a.engine->WatchObjects("n", {"d3", "d7"});
  a.engine->SetObjectNotification([&](const ObjectNotification& n) { objects.push_back(n); });
  ASSERT_OK(a.engine->Sync());
  ASSERT_EQ(mine.size(), 4u);  // three pages, then "ok"
  EXPECT_EQ(mine[0].status, "in_progress");
  EXPECT_EQ(mine[0].sync_type, "incremental");
  EXPECT_EQ(mine[0].total_count, 25);
  EXPECT_EQ(mine[0].processed_count, 10);
  EXPECT_EQ(mine[1].cumulative_count, 20);
  EXPECT_EQ(mine[2].processed_count, 5);
  EXPECT_EQ(mine[2].cumulative_count, 25);
  EXPECT_EQ(mine[3].status, "ok");
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().status, "complete");
  EXPECT_EQ(all.back().collection, "*");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].key, "d3");
  EXPECT_EQ(objects[0].kind, "created");
  EXPECT_EQ(objects[1].key, "d7");
  objects.clear();
  server.put("d7", R"({"v":2})");
  server.remove("d3");
  server.put("d9", R"({"v":2})");  // not watched
  ASSERT_OK(a.engine->Sync());
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].key, "d7");
  EXPECT_EQ(objects[0].kind, "updated");
  EXPECT_EQ(objects[1].key, "d3");
  EXPECT_EQ(objects[1].kind, "deleted");
}

void BackgroundSyncRunsOnTheClockAndWhenTheNetworkReturns(const FlowServer& server,
                                                          const FlowClientFactory& make) {
  ManualClock clock;
  Env env = EnvWith(Env::Default()->fs, &clock);
  std::mutex mu;
  std::condition_variable cv;
  int completes = 0;
  FlowClient a = make("background", [&](SyncOptions& o) { o.env = &env; });
  ASSERT_TRUE(a.engine);
  a.engine->SetNotification("*", [&](const SyncNotification& n) {
    if (n.status != "complete") return;
    std::lock_guard<std::mutex> lock(mu);
    ++completes;
    cv.notify_all();
  });
  std::vector<bool> statuses;
  a.engine->OnNetworkStatus([&](bool online) { statuses.push_back(online); });
  auto wait_for = [&](int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return completes >= n; });
  };
  a.engine->StartBackground(std::chrono::seconds(60));
  server.put("s", R"({"v":1})");
  ASSERT_OK(a.store->Put("n", "local", {{"v", 1}}));
  clock.Advance(61'000'000);
  ASSERT_TRUE(wait_for(1));
  EXPECT_EQ(*a.store->Get("n", "s"), Json({{"v", 1}}));
  EXPECT_EQ(server.document("local"), Json({{"v", 1}})) << "the background sync pushed too";
  // Offline: the period passes without a sync; back online: one at once.
  a.engine->SetNetworkStatus(false);
  server.put("t", R"({"v":1})");
  clock.Advance(61'000'000);
  a.engine->SetNetworkStatus(true);
  ASSERT_TRUE(wait_for(2));
  EXPECT_EQ(*a.store->Get("n", "t"), Json({{"v", 1}}));
  a.engine->Stop();
  EXPECT_EQ(completes, 2);
  EXPECT_EQ(statuses, (std::vector<bool>{false, true}));
  SyncStatistics st = a.engine->Statistics();
  EXPECT_EQ(st.syncs, 2);
  EXPECT_EQ(st.documents_up, 1);
  EXPECT_EQ(st.documents_down, 2);
  EXPECT_GT(st.bytes_transferred, 0u);
}

}  // namespace syncline::testing
