// EventLog: what the node is doing, as a numbered stream of events (sync runs, destination
// edits, collection sync jobs, commits) that GET /v1/events serves to the studio and to scripts,
// as Syncthing's /rest/events does: ask for what follows the last id seen, wait if nothing does.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "syncline/env.h"
#include "util/json.h"

namespace syncline {

struct Event {
  int64_t id = 0;    // 1, 2, ... for this process's life
  int64_t time = 0;  // microseconds since the epoch
  std::string type;  // "change", "sync.start", "sync.run", "destination", "job"
  std::string db;
  Json data;         // an object: the type's fields
};

// {"id", "time", "type", "db", ...data}.
Json EventToJson(const Event& e);

// Thread-safe. Keeps the newest `capacity` events; a reader further behind misses the oldest.
class EventLog {
 public:
  explicit EventLog(Clock* clock, size_t capacity = 4096) : clock_(clock), capacity_(capacity) {}

  // Adds an event; returns its id. Calls the listener (outside the lock).
  int64_t Append(std::string type, std::string db, Json data);

  // Events with id > since that `keep` accepts, oldest first, at most `limit`; `through` is the
  // last id looked at (the next read's `since`), `since` itself if none follows.
  struct Page {
    std::vector<Event> events;
    int64_t through = 0;
  };
  Page After(int64_t since, size_t limit, const std::function<bool(const Event&)>& keep) const;
  int64_t last_id() const;
  // The oldest id still kept (last_id() + 1 when empty).
  int64_t first_id() const;

  // Told each new id (the server wakes long-polls with it). Set before the first Append.
  void set_listener(std::function<void(int64_t id)> listener) { listener_ = std::move(listener); }

 private:
  Clock* clock_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::deque<Event> events_;  // GUARDED_BY(mu_)
  int64_t next_id_ = 1;       // GUARDED_BY(mu_)
  std::function<void(int64_t)> listener_;
};

}  // namespace syncline
