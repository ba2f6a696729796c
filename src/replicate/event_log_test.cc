#include "replicate/event_log.h"

#include <gtest/gtest.h>

#include "testing/manual_clock.h"

namespace syncline {
namespace {

std::vector<int64_t> Ids(const EventLog::Page& p) {
  std::vector<int64_t> out;
  for (const Event& e : p.events) out.push_back(e.id);
  return out;
}

TEST(EventLogTest, ReadsWhatFollowsAnIdWithinCapacityAndFilter) {
  testing::ManualClock clock;
  EventLog log(&clock, 4);
  std::vector<int64_t> heard;
  log.set_listener([&](int64_t id) { heard.push_back(id); });
  EXPECT_EQ(log.last_id(), 0);
  EXPECT_EQ(log.first_id(), 1);
  for (int i = 0; i < 6; ++i) log.Append(i % 2 ? "sync.run" : "change", i < 3 ? "a" : "b", Json::object());
  EXPECT_EQ(heard, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(log.last_id(), 6);
  EXPECT_EQ(log.first_id(), 3);  // 1 and 2 fell out

  auto all = [](const Event&) { return true; };
  auto only_b = [](const Event& e) { return e.db == "b"; };
  struct Case {
    int64_t since;
    size_t limit;
    bool only_b;
    std::vector<int64_t> ids;
    int64_t through;
  };
  const Case cases[] = {
      {0, 100, false, {3, 4, 5, 6}, 6},  // behind the oldest kept: from the oldest
      {4, 100, false, {5, 6}, 6},
      {6, 100, false, {}, 6},            // nothing new
      {9, 100, false, {}, 9},            // ahead (a restarted node): nothing, since kept
      {0, 2, false, {3, 4}, 4},          // a page: through says where to go on
      {0, 100, true, {4, 5, 6}, 6},
      {0, 1, true, {4}, 4},              // filtered out events are still passed
  };
  for (const Case& c : cases) {
    EventLog::Page p = log.After(c.since, c.limit, c.only_b ? std::function<bool(const Event&)>(only_b) : all);
    EXPECT_EQ(Ids(p), c.ids) << c.since << "/" << c.limit;
    EXPECT_EQ(p.through, c.through) << c.since << "/" << c.limit;
  }
}

TEST(EventLogTest, JsonCarriesIdTypeDatabaseAndData) {
  testing::ManualClock clock(5000);
  EventLog log(&clock);
  log.Append("sync.run", "notes", Json{{"destination", "http://x"}, {"items", 2}});
  EventLog::Page p = log.After(0, 10, [](const Event&) { return true; });
  ASSERT_EQ(p.events.size(), 1u);
  Json j = EventToJson(p.events[0]);
  EXPECT_EQ(j["id"], 1);
  EXPECT_EQ(j["time"], 5000);
  EXPECT_EQ(j["type"], "sync.run");
  EXPECT_EQ(j["db"], "notes");
  EXPECT_EQ(j["items"], 2);
}

}  // namespace
}  // namespace syncline
