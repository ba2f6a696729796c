#include "net/login_limiter.h"

#include <algorithm>
#include <vector>

namespace syncline {

void LoginLimiter::Expire(Entry* e, int64_t now) const {
  while (!e->failures.empty() && e->failures.front() <= now - limits_.window_micros) {
    e->failures.pop_front();
  }
}

int64_t LoginLimiter::LockedFor(std::string_view user, std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key(user, address));
  if (it == entries_.end()) return 0;
  return std::max<int64_t>(0, it->second.locked_until - clock_->NowMicros());
}

void LoginLimiter::Failed(std::string_view user, std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_->NowMicros();
  Entry& e = entries_[Key(user, address)];
  e.last_seen = now;
  Expire(&e, now);
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) >= limits_.max_failures) {
    e.locked_until = now + limits_.lockout_micros;
    e.failures.clear();  // the lockout starts the count again
  }
  if (entries_.size() > limits_.max_tracked) Trim();
}

void LoginLimiter::Succeeded(std::string_view user, std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(Key(user, address));
}

void LoginLimiter::Trim() {
  int64_t now = clock_->NowMicros();
  // Locked pairs are kept; of the others, those seen longest ago go until a tenth is free.
  std::vector<std::pair<int64_t, std::map<Key, Entry>::iterator>> idle;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.locked_until <= now) idle.emplace_back(it->second.last_seen, it);
  }
  size_t target = limits_.max_tracked - limits_.max_tracked / 10;
  size_t drop = entries_.size() > target ? entries_.size() - target : 0;
  drop = std::min(drop, idle.size());
  std::nth_element(idle.begin(), idle.begin() + drop, idle.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < drop; ++i) entries_.erase(idle[i].second);
}

}  // namespace syncline
