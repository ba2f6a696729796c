// ManualClock: time moves only when the test says so.
#pragma once

#include <atomic>
#include <cstdint>

#include "syncline/env.h"

namespace syncline::testing {

// Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'000'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() override { return now_; }
  void Advance(int64_t micros) { now_ += micros; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace syncline::testing
