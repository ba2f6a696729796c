// The master's open snapshots (snapshot_registry.h).
#include "replicate/snapshot_registry.h"

#include <chrono>

#include "replicate/collection_protocol.h"
#include "util/json_reader.h"
#include "util/name.h"
#include "util/uuid.h"

namespace syncline {

SnapshotRegistry::SnapshotRegistry(Store* store, Env* env, SnapshotRegistryOptions options)
    : store_(store), env_(env), options_(options), expirer_([this] { ExpireLoop(); }) {}

SnapshotRegistry::~SnapshotRegistry() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  expirer_.join();
}

Result<Json> SnapshotRegistry::Open(const std::string& db, const std::string& collection) {
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(collection));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_.size() >= options_.max_open) {
      return Status::Unavailable("too many collection syncs at once; try again soon");
    }
  }
  SYNCLINE_ASSIGN_OR_RETURN(auto snapshot, store_->OpenSnapshot(db));
  // A mistyped name must not read as an empty collection: a full sync would empty the replica.
  SYNCLINE_ASSIGN_OR_RETURN(bool exists, snapshot->HasCollection(collection));
  if (!exists) {
    return Status::NotFound("collection '" + collection + "' not found in database '" + db + "'");
  }
  auto entry = std::make_shared<Open_>();
  entry->db = db;
  entry->source = std::make_unique<SnapshotSource>(std::move(snapshot), collection);
  int64_t etag = entry->source->etag();
  std::string id = NewUuid(env_->random);
  std::lock_guard<std::mutex> lock(mu_);
  entry->last_used = env_->clock->NowMicros();
  open_[id] = std::move(entry);
  return Json{{"snapshot", id}, {"etag", etag},
              {"idle_timeout_seconds", options_.idle_timeout_seconds}};
}

Result<Json> SnapshotRegistry::Handle(const std::string& db, std::string_view op,
                                      const Json& request) {
  SYNCLINE_ASSIGN_OR_RETURN(std::string id, JsonString(request, "snapshot"));
  std::shared_ptr<Open_> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(id);
    if (it == open_.end() || it->second->db != db) {
      return Status::NotFound("snapshot '" + id + "' is not open (closed, or idle too long)");
    }
    entry = it->second;
    entry->last_used = env_->clock->NowMicros();
  }
  std::lock_guard<std::mutex> lock(entry->mu);
  Result<Json> out = HandleSnapshotOp(*entry->source, op, request);
  std::lock_guard<std::mutex> registry_lock(mu_);
  entry->last_used = env_->clock->NowMicros();  // a long answer does not count as idle
  return out;
}

Status SnapshotRegistry::Close(const std::string& db, const std::string& id) {
  std::shared_ptr<Open_> entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(id);
    if (it == open_.end() || it->second->db != db) return Status::OK();
    entry = std::move(it->second);
    open_.erase(it);
  }
  // The read transaction ends when the last request using it lets go of `entry`.
  return Status::OK();
}

size_t SnapshotRegistry::open_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

void SnapshotRegistry::ExpireLoop() {
  const auto period = std::chrono::milliseconds(
      std::max<int64_t>(100, options_.idle_timeout_seconds * 1000 / 4));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_for(lock, period, [&] { return stopping_; })) {
    int64_t now = env_->clock->NowMicros();
    std::vector<std::shared_ptr<Open_>> expired;  // released outside the lock
    for (auto it = open_.begin(); it != open_.end();) {
      if (now - it->second->last_used > options_.idle_timeout_seconds * 1000000) {
        expired.push_back(std::move(it->second));
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    expired.clear();
    lock.lock();
  }
  open_.clear();
}

}  // namespace syncline
