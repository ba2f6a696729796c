// LoginLimiter: stops password guessing. Ten wrong passwords for one (user, address) pair within
// a minute lock that pair out for a minute, a right password included; other pairs are not
// affected, so an attacker cannot lock a user out from everywhere. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "syncline/env.h"

namespace syncline {

struct LoginLimits {
  int max_failures = 10;
  int64_t window_micros = 60'000'000;
  int64_t lockout_micros = 60'000'000;
  size_t max_tracked = 100'000;  // pairs remembered at most; the oldest are forgotten first
};

class LoginLimiter {
 public:
  explicit LoginLimiter(Clock* clock, LoginLimits limits = {}) : clock_(clock), limits_(limits) {}

  // Microseconds the pair stays locked out; 0 if it may try now.
  int64_t LockedFor(std::string_view user, std::string_view address);
  // A wrong password (or unknown user): may start a lockout.
  void Failed(std::string_view user, std::string_view address);
  // A right password: the pair's failures are forgotten.
  void Succeeded(std::string_view user, std::string_view address);

 private:
  using Key = std::pair<std::string, std::string>;
  struct Entry {
    std::deque<int64_t> failures;  // times of recent failures, oldest first
    int64_t locked_until = 0;
    int64_t last_seen = 0;
  };
  // Drops failures older than the window. REQUIRES: mu_ held.
  void Expire(Entry* e, int64_t now) const;
  // Forgets the pairs seen longest ago when too many are tracked. REQUIRES: mu_ held.
  void Trim();

  Clock* clock_;
  LoginLimits limits_;
  std::mutex mu_;
  std::map<Key, Entry> entries_;
};

}  // namespace syncline
