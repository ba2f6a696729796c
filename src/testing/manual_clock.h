// ManualClock: time moves only when the test says so.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "syncline/env.h"

namespace syncline::testing {

// Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros = 1'000'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() override { return now_; }
  void Advance(int64_t micros) { now_ += micros; }
  // Rechecks every few real milliseconds: the test's Advance ends the wait, not real time.
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 int64_t deadline_micros, const std::function<bool()>& done) override {
    while (!done() && now_ < deadline_micros) cv.wait_for(lock, std::chrono::milliseconds(5));
    return done();
  }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace syncline::testing
