// ChangeWaiters: who is long-polling which database's change feed, woken on commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace syncline {

// Thread-safe. Wake callbacks run on the committing thread: they must only post work.
class ChangeWaiters {
 public:
  using Wake = std::function<void()>;

  // Calls `wake` once when `db` gets a change past etag `since` (at once if one is already
  // known). Returns an id for Unsubscribe.
  uint64_t Subscribe(const std::string& db, int64_t since, Wake wake);
  void Unsubscribe(uint64_t id);
  // Records the database's new last etag and wakes the waiters it passes.
  void Notify(const std::string& db, int64_t last_etag);
  // How many long-polls are parked now (health shows it; tests wait for it).
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.size();
  }

  // Shutdown: wakes every waiter now and every later one at once, so each long-poll answers
  // (with the current last etag) before the server closes its connection.
  void Close();
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  // A long-poll counts from its parking to its answer written, so shutdown can wait for it.
  class Answering {
   public:
    explicit Answering(ChangeWaiters* w) : w_(w) { ++w_->answering_; }
    ~Answering() { --w_->answering_; }
    Answering(const Answering&) = delete;
    Answering& operator=(const Answering&) = delete;

   private:
    ChangeWaiters* w_;
  };
  int answering() const { return answering_.load(); }

 private:
  struct Waiter {
    std::string db;
    int64_t since;
    Wake wake;
  };
  std::mutex mu_;
  uint64_t next_id_ = 1;                 // GUARDED_BY(mu_)
  std::map<uint64_t, Waiter> waiters_;   // GUARDED_BY(mu_)
  std::map<std::string, int64_t> last_;  // GUARDED_BY(mu_)
  bool closed_ = false;                  // GUARDED_BY(mu_)
  std::atomic<int> answering_{0};
};

}  // namespace syncline
