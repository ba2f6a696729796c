// ChangeWaiters: subscription bookkeeping for long-polls.
#include "net/change_waiters.h"

#include <vector>

namespace syncline {

uint64_t ChangeWaiters::Subscribe(const std::string& db, int64_t since, Wake wake) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = last_.find(db);
  if (closed_ || (it != last_.end() && it->second > since)) {
    lock.unlock();
    wake();
    return 0;
  }
  uint64_t id = next_id_++;
  waiters_[id] = Waiter{db, since, std::move(wake)};
  return id;
}

void ChangeWaiters::Unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(id);
}

void ChangeWaiters::Notify(const std::string& db, int64_t last_etag) {
  std::vector<Wake> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t& last = last_[db];
    if (last_etag > last) last = last_etag;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.db == db && last_etag > it->second.since) {
        woken.push_back(std::move(it->second.wake));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& w : woken) w();
}

void ChangeWaiters::Close() {
  std::vector<Wake> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& [id, w] : waiters_) woken.push_back(std::move(w.wake));
    waiters_.clear();
  }
  for (auto& w : woken) w();
}

}  // namespace syncline
