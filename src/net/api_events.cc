// GET /v1/events?since=ID&wait=S&types=a,b&db=D: the event log (replicate/event_log.h), read
// like Syncthing's /rest/events. A caller sees the events of the databases it may use: changes
// with the read role, sync, destination, conflict and job events with the admin role.
#include <algorithm>

#include "net/api.h"
#include "util/split.h"

namespace syncline {

using api_internal::IntParam;

void Api::Announce(const char* type, const std::string& db, Json data) {
  if (events_) events_->Append(type, db, std::move(data));
}

ApiResponse Api::Events(const ApiCall& c) {
  if (!events_) return ApiResponse::Error(Status::Unavailable("events are not kept here"));
  auto since = IntParam(c.target, "since", 0, 0, INT64_MAX);
  auto wait = IntParam(c.target, "wait", 0, 0, 60);
  auto limit = IntParam(c.target, "limit", 100, 1, 1000);
  for (const Status* s : {&since.status(), &wait.status(), &limit.status()}) {
    if (!s->ok()) return ApiResponse::Error(*s);
  }
  std::vector<std::string> types;
  if (!c.Query("types").empty()) types = SplitList(c.Query("types"));
  std::string db = c.Query("db");
  // Ids begin again when the node restarts: a reader ahead of them starts over.
  int64_t from = *since;
  bool reset = from > events_->last_id();
  if (reset) from = 0;
  auto keep = [&](const Event& e) {
    if (!db.empty() && e.db != db) return false;
    if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end()) return false;
    Access need = e.type == "change" ? Access::kRead : Access::kAdmin;
    return CheckAccess(c.principal, need, e.db).ok();
  };
  EventLog::Page page = events_->After(from, static_cast<size_t>(*limit), keep);
  if (page.events.empty() && page.through == from && *wait > 0 && !reset) {
    ApiResponse r;
    r.long_poll = ApiResponse::LongPoll{kEventFeed, from, static_cast<double>(*wait)};
    return r;
  }
  Json events = Json::array();
  for (const Event& e : page.events) events.push_back(EventToJson(e));
  return api_internal::JsonAnswer({{"events", std::move(events)},
                                   {"last_id", page.through},
                                   {"first_id", events_->first_id()},
                                   {"reset", reset},
                                   {"started_at", started_at_}});
}

}  // namespace syncline
