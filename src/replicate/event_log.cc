#include "replicate/event_log.h"

namespace syncline {

Json EventToJson(const Event& e) {
  Json j = e.data.is_object() ? e.data : Json::object();
  j["id"] = e.id;
  j["time"] = e.time;
  j["type"] = e.type;
  j["db"] = e.db;
  return j;
}

int64_t EventLog::Append(std::string type, std::string db, Json data) {
  int64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    events_.push_back({id, clock_->NowMicros(), std::move(type), std::move(db), std::move(data)});
    while (events_.size() > capacity_) events_.pop_front();
  }
  if (listener_) listener_(id);
  return id;
}

EventLog::Page EventLog::After(int64_t since, size_t limit,
                               const std::function<bool(const Event&)>& keep) const {
  std::lock_guard<std::mutex> lock(mu_);
  Page page;
  page.through = since;
  if (events_.empty() || since >= events_.back().id) return page;
  // Ids are consecutive: the first event after `since` is found by subtraction.
  size_t start = since < events_.front().id ? 0 : static_cast<size_t>(since - events_.front().id + 1);
  for (size_t i = start; i < events_.size() && page.events.size() < limit; ++i) {
    if (keep(events_[i])) page.events.push_back(events_[i]);
    page.through = events_[i].id;
  }
  return page;
}

int64_t EventLog::last_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_id_ - 1;
}

int64_t EventLog::first_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.empty() ? next_id_ : events_.front().id;
}

}  // namespace syncline
