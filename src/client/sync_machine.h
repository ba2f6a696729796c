// SyncMachine: the decisions of one client sync, with no I/O. It takes events (registered, a
// batch pushed, a page pulled, a failure, cancel) and returns the next action (register, push
// or pull a collection, log in, reset, wait, finish); SyncEngine does the I/O around it. Order:
// register if needed, then every collection's outbox in sync order (unless pull-only), then
// every collection's pages (unless push-only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "syncline/status.h"
#include "util/xorshift.h"

namespace syncline {

enum class SyncStrategy { kTwoWay, kPullOnly, kPushOnly };

struct SyncPlan {
  std::vector<std::string> collections;  // in sync order
  SyncStrategy strategy = SyncStrategy::kTwoWay;
  bool registered = false;                // the client has an id
  bool can_login = false;                 // a login callback is set
  int max_retries = 3;                    // per failing step
  int64_t base_delay_micros = 500'000;    // the first retry's delay, before jitter
  int64_t max_delay_micros = 30'000'000;
  uint64_t seed = 1;                      // for the jitter
};

struct SyncAction {
  enum class Kind { kRegister, kLogin, kReset, kPush, kPull, kWait, kFinish };
  Kind kind = Kind::kFinish;
  std::string collection;    // kPush, kPull
  int64_t wait_micros = 0;   // kWait
  Status status;             // kFinish: OK or why the sync stopped
};

struct SyncEvent {
  enum class Kind { kRegistered, kLoggedIn, kReset, kPushed, kPulled, kWaited, kFailed, kCancel };
  Kind kind = Kind::kFailed;
  bool more = false;  // kPushed: the outbox may hold more; kPulled: more pages
  Status status;      // kFailed
};

class SyncMachine {
 public:
  explicit SyncMachine(SyncPlan plan);

  SyncAction Start();
  SyncAction On(const SyncEvent& event);
  bool done() const { return done_; }

 private:
  enum class Phase { kPush, kPull };
  SyncAction Current();                 // the step the machine stands on
  SyncAction Advance();                 // past a finished collection
  SyncAction OnFailure(const Status& status);
  SyncAction Finish(Status status);
  SyncAction Begin();                   // the first collection of the first phase

  SyncPlan plan_;
  Phase phase_ = Phase::kPush;
  size_t index_ = 0;        // into plan_.collections
  bool registering_ = false;
  bool resetting_ = false;
  int attempts_ = 0;        // failed tries of the current step
  bool reset_done_ = false;  // one unknown-client reset per sync
  bool login_done_ = false;  // one login per sync
  bool done_ = false;
  Xorshift64 rng_;
};

}  // namespace syncline
