#include "client/sync_machine.h"

#include <algorithm>

namespace syncline {

SyncMachine::SyncMachine(SyncPlan plan) : plan_(std::move(plan)), rng_(plan_.seed) {}

SyncAction SyncMachine::Finish(Status status) {
  done_ = true;
  SyncAction a;
  a.kind = SyncAction::Kind::kFinish;
  a.status = std::move(status);
  return a;
}

SyncAction SyncMachine::Begin() {
  index_ = 0;
  phase_ = plan_.strategy == SyncStrategy::kPullOnly ? Phase::kPull : Phase::kPush;
  if (plan_.collections.empty()) return Finish(Status::OK());
  return Current();
}

SyncAction SyncMachine::Start() {
  // Every strategy needs an id: pulls are answered and pushes remembered per client.
  if (!plan_.registered) {
    registering_ = true;
    return Current();
  }
  return Begin();
}

SyncAction SyncMachine::Current() {
  if (registering_) return {SyncAction::Kind::kRegister, "", 0, {}};
  if (resetting_) return {SyncAction::Kind::kReset, "", 0, {}};
  SyncAction a;
  a.kind = phase_ == Phase::kPush ? SyncAction::Kind::kPush : SyncAction::Kind::kPull;
  a.collection = plan_.collections[index_];
  return a;
}

SyncAction SyncMachine::Advance() {
  attempts_ = 0;
  if (++index_ < plan_.collections.size()) return Current();
  if (phase_ == Phase::kPush && plan_.strategy == SyncStrategy::kTwoWay) {
    phase_ = Phase::kPull;
    index_ = 0;
    return Current();
  }
  return Finish(Status::OK());
}

SyncAction SyncMachine::OnFailure(const Status& status) {
  using C = Status::Code;
  if (status.code() == C::kCancelled) return Finish(status);
  if (status.code() == C::kUnknownClient && !reset_done_ && !registering_) {
    // The server lost this client: forget the cursors, register again, start over. Pending
    // changes stay in the outbox and go with the new id.
    reset_done_ = true;
    resetting_ = true;
    attempts_ = 0;
    return {SyncAction::Kind::kReset, "", 0, {}};
  }
  if (status.code() == C::kUnauthenticated && plan_.can_login && !login_done_) {
    login_done_ = true;
    return {SyncAction::Kind::kLogin, "", 0, {}};
  }
  if (status.IsRetryable() && attempts_ < plan_.max_retries) {
    ++attempts_;
    // Exponential backoff with jitter: a delay drawn from [d/2, d], d doubling per attempt.
    int64_t d = plan_.base_delay_micros;
    for (int i = 1; i < attempts_ && d < plan_.max_delay_micros; ++i) d *= 2;
    d = std::min(d, plan_.max_delay_micros);
    int64_t half = d / 2;
    int64_t wait = half + (half > 0 ? static_cast<int64_t>(rng_.Next() % (half + 1)) : 0);
    return {SyncAction::Kind::kWait, "", wait, {}};
  }
  return Finish(status);
}

SyncAction SyncMachine::On(const SyncEvent& e) {
  if (done_) return Finish(Status::Internal("the sync has finished"));
  using K = SyncEvent::Kind;
  switch (e.kind) {
    case K::kCancel:
      return Finish(Status::Cancelled("the sync was cancelled"));
    case K::kFailed:
      return OnFailure(e.status);
    case K::kWaited:
    case K::kLoggedIn:
      return Current();
    case K::kReset:
      resetting_ = false;
      registering_ = true;
      return Current();
    case K::kRegistered:
      registering_ = false;
      attempts_ = 0;
      return Begin();
    case K::kPushed:
    case K::kPulled:
      attempts_ = 0;
      if (e.more) return Current();
      return Advance();
  }
  return Finish(Status::Internal("unknown sync event"));
}

}  // namespace syncline
