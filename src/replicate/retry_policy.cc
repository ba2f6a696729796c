// NextRetryDelay: the retry decision, by Status code.
#include "replicate/retry_policy.h"

#include <algorithm>

namespace syncline {

namespace {

int64_t Double(int64_t previous, int64_t low, int64_t high) {
  int64_t next = previous > high / 2 ? high : previous * 2;
  return std::clamp(next, low, std::max(low, high));
}

}  // namespace

int64_t NextRetryDelay(const Status& error, int64_t previous_delay, const RetryOptions& o) {
  using Code = Status::Code;
  switch (error.code()) {
    case Code::kOk:
      return 0;
    case Code::kUnavailable:
    case Code::kIOError:
    case Code::kPreconditionFailed:  // a lock held there by another source: it ends
      return Double(previous_delay, o.min_backoff_micros, o.max_backoff_micros);
    case Code::kProtocolError:
    case Code::kInternal:
      // Retrying at once would repeat the same broken answer: back off far, never loop.
      return Double(previous_delay, o.max_backoff_micros, o.period_micros);
    default:
      // Wrong key, missing database, refused input, damaged data: nothing changes by itself.
      return o.period_micros;
  }
}

}  // namespace syncline
