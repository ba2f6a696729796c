// The sync state machine driven by hand: each case is a plan, a list of events, and the
// actions it must answer with.
#include "client/sync_machine.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

using A = SyncAction::Kind;
using E = SyncEvent::Kind;

SyncEvent Ev(E kind, bool more = false, Status s = Status::OK()) {
  SyncEvent e;
  e.kind = kind;
  e.more = more;
  e.status = std::move(s);
  return e;
}

std::string Show(const SyncAction& a) {
  switch (a.kind) {
    case A::kRegister: return "register";
    case A::kLogin: return "login";
    case A::kReset: return "reset";
    case A::kPush: return "push " + a.collection;
    case A::kPull: return "pull " + a.collection;
    case A::kWait: return "wait";
    case A::kFinish:
      return a.status.ok() ? "finish ok" : "finish " + std::string(Status::CodeName(a.status.code()));
  }
  return "?";
}

struct Case {
  const char* name;
  SyncStrategy strategy;
  bool registered;
  bool can_login;
  std::vector<SyncEvent> events;
  std::vector<std::string> actions;  // Start()'s, then one per event
};

TEST(SyncMachineTest, Table) {
  const Status down = Status::Unavailable("connection refused");
  const Case cases[] = {
      {"two-way pushes every collection, then pulls every one", SyncStrategy::kTwoWay, true,
       false,
       {Ev(E::kPushed, true), Ev(E::kPushed), Ev(E::kPushed), Ev(E::kPulled, true),
        Ev(E::kPulled), Ev(E::kPulled)},
       {"push a", "push a", "push b", "pull a", "pull a", "pull b", "finish ok"}},
      {"pull-only never pushes", SyncStrategy::kPullOnly, true, false,
       {Ev(E::kPulled), Ev(E::kPulled)},
       {"pull a", "pull b", "finish ok"}},
      {"push-only never pulls", SyncStrategy::kPushOnly, true, false,
       {Ev(E::kPushed), Ev(E::kPushed)},
       {"push a", "push b", "finish ok"}},
      {"a new client registers first", SyncStrategy::kPullOnly, false, false,
       {Ev(E::kRegistered), Ev(E::kPulled), Ev(E::kPulled)},
       {"register", "pull a", "pull b", "finish ok"}},
      {"a network failure is retried after a wait, then given up", SyncStrategy::kPullOnly, true,
       false,
       {Ev(E::kFailed, false, down), Ev(E::kWaited), Ev(E::kFailed, false, down), Ev(E::kWaited),
        Ev(E::kFailed, false, down), Ev(E::kWaited), Ev(E::kFailed, false, down)},
       {"pull a", "wait", "pull a", "wait", "pull a", "wait", "pull a", "finish unavailable"}},
      {"a success resets the retry count", SyncStrategy::kPullOnly, true, false,
       {Ev(E::kFailed, false, down), Ev(E::kWaited), Ev(E::kPulled), Ev(E::kFailed, false, down),
        Ev(E::kWaited), Ev(E::kPulled)},
       {"pull a", "wait", "pull a", "pull b", "wait", "pull b", "finish ok"}},
      {"unknown client: reset, register, start over", SyncStrategy::kTwoWay, true, false,
       {Ev(E::kPushed), Ev(E::kFailed, false, Status::UnknownClient("x")), Ev(E::kReset),
        Ev(E::kRegistered), Ev(E::kPushed), Ev(E::kPushed), Ev(E::kPulled), Ev(E::kPulled)},
       {"push a", "push b", "reset", "register", "push a", "push b", "pull a", "pull b",
        "finish ok"}},
      {"unknown client twice in one sync ends it", SyncStrategy::kPullOnly, true, false,
       {Ev(E::kFailed, false, Status::UnknownClient("x")), Ev(E::kReset), Ev(E::kRegistered),
        Ev(E::kFailed, false, Status::UnknownClient("x"))},
       {"pull a", "reset", "register", "pull a", "finish unknown-client"}},
      {"401 with a login callback: log in, then the same step", SyncStrategy::kPullOnly, true,
       true,
       {Ev(E::kFailed, false, Status::Unauthenticated("t")), Ev(E::kLoggedIn), Ev(E::kPulled),
        Ev(E::kPulled)},
       {"pull a", "login", "pull a", "pull b", "finish ok"}},
      {"401 without one ends the sync", SyncStrategy::kPullOnly, true, false,
       {Ev(E::kFailed, false, Status::Unauthenticated("t"))},
       {"pull a", "finish unauthorized"}},
      {"401 again after a login ends it", SyncStrategy::kPullOnly, true, true,
       {Ev(E::kFailed, false, Status::Unauthenticated("t")), Ev(E::kLoggedIn),
        Ev(E::kFailed, false, Status::Unauthenticated("t"))},
       {"pull a", "login", "pull a", "finish unauthorized"}},
      {"403 is not retried", SyncStrategy::kTwoWay, true, true,
       {Ev(E::kFailed, false, Status::PermissionDenied("read only"))},
       {"push a", "finish permission_denied"}},
      {"cancel stops at once", SyncStrategy::kTwoWay, true, false,
       {Ev(E::kPushed), Ev(E::kCancel)},
       {"push a", "push b", "finish cancelled"}},
      {"a cancelled request ends it cancelled", SyncStrategy::kPullOnly, true, false,
       {Ev(E::kFailed, false, Status::Cancelled("stop"))},
       {"pull a", "finish cancelled"}},
  };
  for (const Case& c : cases) {
    SyncPlan plan;
    plan.collections = {"a", "b"};
    plan.strategy = c.strategy;
    plan.registered = c.registered;
    plan.can_login = c.can_login;
    SyncMachine m(plan);
    std::vector<std::string> got = {Show(m.Start())};
    for (const SyncEvent& e : c.events) got.push_back(Show(m.On(e)));
    EXPECT_EQ(got, c.actions) << c.name;
    EXPECT_TRUE(m.done()) << c.name;
  }
}

TEST(SyncMachineTest, BackoffDoublesWithJitterAndIsRepeatable) {
  SyncPlan plan;
  plan.collections = {"a"};
  plan.registered = true;
  plan.max_retries = 6;
  plan.base_delay_micros = 1000;
  plan.max_delay_micros = 16000;
  plan.seed = 42;
  auto waits = [&plan] {
    SyncMachine m(plan);
    (void)m.Start();
    std::vector<int64_t> out;
    for (int i = 0; i < 6; ++i) {
      SyncAction a = m.On(Ev(E::kFailed, false, Status::Unavailable("down")));
      out.push_back(a.wait_micros);
      (void)m.On(Ev(E::kWaited));
    }
    return out;
  };
  std::vector<int64_t> w = waits();
  const int64_t cap[] = {1000, 2000, 4000, 8000, 16000, 16000};
  for (int i = 0; i < 6; ++i) {
    EXPECT_GE(w[i], cap[i] / 2) << i;
    EXPECT_LE(w[i], cap[i]) << i;
  }
  EXPECT_EQ(waits(), w);  // the same seed, the same delays
}

}  // namespace
}  // namespace syncline
