// SyncActivity: two small lists under one mutex; they hold at most one run's queue each.
#include "replicate/activity.h"

#include <algorithm>

namespace syncline {

namespace {

bool Same(const ActivityEntry& a, const ActivityEntry& b) {
  return a.ref == b.ref && a.destination_url == b.destination_url;
}

void Erase(std::vector<ActivityEntry>* v, const ActivityEntry& e) {
  v->erase(std::remove_if(v->begin(), v->end(), [&](const ActivityEntry& x) { return Same(x, e); }),
           v->end());
}

}  // namespace

Json ActivityEntryToJson(const ActivityEntry& e) {
  return {{"name", e.ref.key},
          {"kind", ItemKindName(e.ref.kind)},
          {"collection", e.ref.kind == ItemKind::kDocument ? Json(e.ref.collection) : Json()},
          {"etag", e.etag},
          {"type", SyncTypeName(e.type)},
          {"destination_url", e.destination_url}};
}

void SyncActivity::SetPending(const std::string& url, std::vector<ActivityEntry> entries) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [&](const ActivityEntry& x) { return x.destination_url == url; }),
                 pending_.end());
  for (auto& e : entries) pending_.push_back(std::move(e));
}

void SyncActivity::Start(const ActivityEntry& e) {
  std::lock_guard<std::mutex> lock(mu_);
  Erase(&pending_, e);
  active_.push_back(e);
}

void SyncActivity::Finish(const ActivityEntry& e) {
  std::lock_guard<std::mutex> lock(mu_);
  Erase(&active_, e);
}

void SyncActivity::ClearDestination(const std::string& url) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto* v : {&active_, &pending_}) {
    v->erase(std::remove_if(v->begin(), v->end(),
                            [&](const ActivityEntry& x) { return x.destination_url == url; }),
             v->end());
  }
}

std::vector<ActivityEntry> SyncActivity::Active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_;
}

std::vector<ActivityEntry> SyncActivity::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

}  // namespace syncline
