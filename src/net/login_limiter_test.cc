#include "net/login_limiter.h"

#include <gtest/gtest.h>

#include "testing/manual_clock.h"

namespace syncline {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(LoginLimiterTest, TenFailuresInAMinuteLockThePairForAMinute) {
  testing::ManualClock clock;
  LoginLimiter limiter(&clock);
  for (int i = 0; i < 9; ++i) {
    limiter.Failed("alice", "10.0.0.1");
    clock.Advance(5 * kSecond);
  }
  EXPECT_EQ(limiter.LockedFor("alice", "10.0.0.1"), 0);
  limiter.Failed("alice", "10.0.0.1");
  EXPECT_EQ(limiter.LockedFor("alice", "10.0.0.1"), 60 * kSecond);
  // Another address, and another user from the same address, may still try.
  EXPECT_EQ(limiter.LockedFor("alice", "10.0.0.2"), 0);
  EXPECT_EQ(limiter.LockedFor("bob", "10.0.0.1"), 0);
  clock.Advance(59 * kSecond);
  EXPECT_EQ(limiter.LockedFor("alice", "10.0.0.1"), 1 * kSecond);
  clock.Advance(1 * kSecond);
  EXPECT_EQ(limiter.LockedFor("alice", "10.0.0.1"), 0);
}

TEST(LoginLimiterTest, FailuresOlderThanTheWindowDoNotCount) {
  testing::ManualClock clock;
  LoginLimiter limiter(&clock);
  for (int i = 0; i < 20; ++i) {
    limiter.Failed("alice", "a");
    clock.Advance(7 * kSecond);  // never ten within 60 s
  }
  EXPECT_EQ(limiter.LockedFor("alice", "a"), 0);
}

TEST(LoginLimiterTest, ASuccessForgetsTheFailures) {
  testing::ManualClock clock;
  LoginLimiter limiter(&clock);
  for (int i = 0; i < 9; ++i) limiter.Failed("alice", "a");
  limiter.Succeeded("alice", "a");
  limiter.Failed("alice", "a");
  EXPECT_EQ(limiter.LockedFor("alice", "a"), 0);
}

TEST(LoginLimiterTest, TrackingIsBoundedAndKeepsLockedPairs) {
  testing::ManualClock clock;
  LoginLimiter limiter(&clock, LoginLimits{2, 60 * kSecond, 60 * kSecond, 100});
  limiter.Failed("victim", "a");
  limiter.Failed("victim", "a");  // locked
  for (int i = 0; i < 500; ++i) {
    clock.Advance(1000);
    limiter.Failed("user" + std::to_string(i), "b");
  }
  EXPECT_GT(limiter.LockedFor("victim", "a"), 0);
}

}  // namespace
}  // namespace syncline
