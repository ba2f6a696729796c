// NextRetryDelay, table-driven.
#include "replicate/retry_policy.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

constexpr int64_t kSec = 1000000;

TEST(RetryPolicyTest, DelayFollowsTheCodeAndThePreviousDelay) {
  RetryOptions o;  // 1 s .. 60 s, period 600 s
  struct Case {
    Status error;
    int64_t previous;
    int64_t want;
  } cases[] = {
      {Status::OK(), 0, 0},
      {Status::OK(), 32 * kSec, 0},
      {Status::Unavailable("down"), 0, 1 * kSec},
      {Status::Unavailable("down"), 1 * kSec, 2 * kSec},
      {Status::Unavailable("down"), 40 * kSec, 60 * kSec},
      {Status::Unavailable("down"), 600 * kSec, 60 * kSec},  // after a long wait, back to max
      {Status::IOError("disk"), 4 * kSec, 8 * kSec},
      {Status::PreconditionFailed("locked"), 0, 1 * kSec},
      {Status::ProtocolError("garbage"), 0, 60 * kSec},
      {Status::ProtocolError("garbage"), 60 * kSec, 120 * kSec},
      {Status::ProtocolError("garbage"), 400 * kSec, 600 * kSec},
      {Status::Internal("bug"), 1 * kSec, 60 * kSec},
      {Status::NotFound("no db"), 0, 600 * kSec},
      {Status::Unauthenticated("key"), 2 * kSec, 600 * kSec},
      {Status::PermissionDenied("role"), 0, 600 * kSec},
      {Status::Corruption("damaged"), 0, 600 * kSec},
      {Status::InvalidArgument("refused"), 0, 600 * kSec},
      {Status::TooLarge("big"), 0, 600 * kSec},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextRetryDelay(c.error, c.previous, o), c.want)
        << c.error.ToString() << " after " << c.previous;
  }
}

TEST(RetryPolicyTest, NeverLoopsWithoutADelay) {
  RetryOptions o;
  for (int c = 1; c <= static_cast<int>(Status::Code::kLast); ++c) {
    Status s = Status::FromCode(static_cast<Status::Code>(c), "x");
    for (int64_t prev : {int64_t{0}, kSec, 1000 * kSec}) {
      EXPECT_GE(NextRetryDelay(s, prev, o), o.min_backoff_micros) << s.ToString();
      EXPECT_LE(NextRetryDelay(s, prev, o), o.period_micros) << s.ToString();
    }
  }
}

}  // namespace
}  // namespace syncline
