// Following a master's collection (collection_followers.h).
#include "replicate/collection_followers.h"

#include <algorithm>
#include <set>

#include "replicate/collection_apply.h"
#include "replicate/collection_source.h"

namespace syncline {

CollectionFollowers::CollectionFollowers(Store* store, Env* env, FeedOpener opener,
                                         FollowerOptions options)
    : store_(store), env_(env), opener_(std::move(opener)), options_(options) {}

CollectionFollowers::~CollectionFollowers() { Stop(); }

Status CollectionFollowers::Start() {
  SYNCLINE_ASSIGN_OR_RETURN(auto dbs, store_->ListDatabases());
  for (const DatabaseInfo& db : dbs) {
    SYNCLINE_ASSIGN_OR_RETURN(auto followers, store_->ListFollowers(db.name));
    for (const FollowerRecord& f : followers) StartWorker(db.name, f);
  }
  return Status::OK();
}

Status CollectionFollowers::Follow(const std::string& db, const FollowerRecord& follower) {
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) {
    return txn.PutFollower(follower);
  }));
  std::unique_ptr<Worker> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = workers_.find({db, follower.collection});
    if (it != workers_.end()) {
      old = std::move(it->second);
      workers_.erase(it);
    }
  }
  if (old) {
    old->stop = true;
    wake_.notify_all();
    Join(std::move(old));
  }
  StartWorker(db, follower);
  return Status::OK();
}

Status CollectionFollowers::Unfollow(const std::string& db, const std::string& collection) {
  bool found = false;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(auto f, txn.GetFollower(collection));
    found = f.has_value();
    return found ? txn.DeleteFollower(collection) : Status::OK();
  }));
  if (!found) return Status::NotFound("collection '" + collection + "' follows no master");
  std::unique_ptr<Worker> w;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = workers_.find({db, collection});
    if (it != workers_.end()) {
      w = std::move(it->second);
      workers_.erase(it);
    }
  }
  if (w) {
    w->stop = true;
    wake_.notify_all();
    Join(std::move(w));
  }
  return Status::OK();
}

Result<std::vector<FollowerView>> CollectionFollowers::List(const std::string& db) {
  SYNCLINE_ASSIGN_OR_RETURN(auto followers, store_->ListFollowers(db));
  int64_t now = env_->clock->NowMicros();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FollowerView> out;
  for (FollowerRecord& f : followers) {
    FollowerView v;
    f.master_key.clear();
    v.record = f;
    auto it = workers_.find({db, f.collection});
    if (it != workers_.end()) {
      const Worker& w = *it->second;
      v.state = w.state;
      v.master_etag = std::max(w.master_etag, f.checkpoint_etag);
      v.lag_etags = v.master_etag - f.checkpoint_etag;
      v.lag_seconds = w.behind_since > 0 ? static_cast<double>(now - w.behind_since) / 1e6 : 0;
      v.documents_applied = w.applied;
      if (!w.last_error.ok()) {
        v.error_code = std::string(Status::CodeName(w.last_error.code()));
        v.error_message = w.last_error.message();
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

void CollectionFollowers::Stop() {
  std::map<Key, std::unique_ptr<Worker>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(workers_);
    for (auto& [key, w] : all) w->stop = true;
  }
  wake_.notify_all();
  for (auto& [key, w] : all) Join(std::move(w));
}

void CollectionFollowers::Join(std::unique_ptr<Worker> w) {
  if (w->thread.joinable()) w->thread.join();
}

void CollectionFollowers::StartWorker(const std::string& db, const FollowerRecord& follower) {
  auto w = std::make_unique<Worker>();
  w->db = db;
  w->record = follower;
  Worker* raw = w.get();
  std::lock_guard<std::mutex> lock(mu_);
  workers_[{db, follower.collection}] = std::move(w);
  raw->thread = std::thread([this, raw] { Run(raw); });
}

void CollectionFollowers::Record(Worker* w, const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  w->last_error = s;
  w->state = s.ok() ? "following" : "retrying";
}

void CollectionFollowers::Run(Worker* w) {
  std::unique_ptr<MasterFeed> feed;
  int64_t backoff = options_.min_backoff_micros;
  while (!w->stop) {
    Status s;
    if (!feed) {
      Result<std::unique_ptr<MasterFeed>> opened = opener_(w->record, &w->stop);
      if (opened.ok()) {
        feed = std::move(opened).value();
      } else {
        s = opened.status();
      }
    }
    if (feed) s = Step(w, *feed);
    if (w->stop || (s.IsNotFound() && s.message() == "stopped following")) return;
    if (s.ok()) {
      backoff = options_.min_backoff_micros;
      continue;
    }
    Record(w, s);
    feed.reset();  // a fresh connection after a failure
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::microseconds(backoff), [&] { return w->stop.load(); });
    backoff = std::min(backoff * 2, options_.max_backoff_micros);
  }
}

Status CollectionFollowers::Step(Worker* w, MasterFeed& feed) {
  const std::string& collection = w->record.collection;
  SYNCLINE_ASSIGN_OR_RETURN(ChangePage page, feed.Changes(w->record.checkpoint_etag,
                                                          options_.page_size,
                                                          options_.wait_seconds));
  int64_t now = env_->clock->NowMicros();
  {
    std::lock_guard<std::mutex> lock(mu_);
    w->master_etag = std::max(w->master_etag, page.last_etag);
    if (page.changes.empty()) w->behind_since = 0;
    else if (w->behind_since == 0) w->behind_since = now;
  }
  if (page.changes.empty()) {
    Record(w, Status::OK());
    return Status::OK();
  }
  int64_t through = page.changes.back().etag;
  if (through <= w->record.checkpoint_etag) {
    return Status::ProtocolError("the master's change feed went backwards");
  }
  std::set<std::string> keys;
  for (const Change& c : page.changes) {
    if (c.kind == ItemKind::kDocument && c.collection == collection) keys.insert(c.key);
  }
  // The current state of each changed document: a later change of it comes again and is
  // applied again, which changes nothing.
  std::vector<Item> docs;
  std::vector<std::string> all(keys.begin(), keys.end());
  for (size_t i = 0; i < all.size(); i += kMaxKeysPerCall) {
    std::vector<std::string> batch(all.begin() + i,
                                   all.begin() + std::min(all.size(), i + kMaxKeysPerCall));
    SYNCLINE_ASSIGN_OR_RETURN(auto got, feed.Documents(collection, batch));
    size_t g = 0;
    for (const std::string& key : batch) {
      if (g < got.size() && got[g].key == key) {
        docs.push_back(std::move(got[g++]));
      } else {
        Item gone;
        gone.key = key;
        gone.deleted = true;
        docs.push_back(std::move(gone));
      }
    }
    if (g != got.size()) return Status::ProtocolError("the master sent documents not asked for");
  }
  ApplyCounts counts;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(w->db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(auto follower, txn.GetFollower(collection));
    if (!follower) return Status::NotFound("stopped following");
    if (!docs.empty()) {
      SYNCLINE_ASSIGN_OR_RETURN(counts, ApplyPatch(txn, collection, docs, store_->node_id()));
    }
    follower->checkpoint_etag = through;
    return txn.PutFollower(*follower);
  }));
  w->record.checkpoint_etag = through;
  {
    std::lock_guard<std::mutex> lock(mu_);
    w->applied += counts.inserted + counts.updated + counts.removed;
    if (through >= w->master_etag) w->behind_since = 0;
  }
  Record(w, Status::OK());
  return Status::OK();
}

}  // namespace syncline
