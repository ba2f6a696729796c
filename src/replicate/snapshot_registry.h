// SnapshotRegistry: the master's side of collection syncs. Each sync opens a snapshot of one
// collection (a read transaction: writers go on), reads it through several requests, and
// closes it. A snapshot no request touched for `idle_timeout` is closed by the registry, so a
// replica that died mid-sync cannot keep one open (and keep the store from reclaiming space).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "replicate/snapshot_source.h"
#include "store/store.h"
#include "syncline/env.h"
#include "util/json.h"

namespace syncline {

struct SnapshotRegistryOptions {
  int64_t idle_timeout_seconds = 120;
  size_t max_open = 16;  // more syncs at once wait (Unavailable: retry)
};

// Thread-safe.
class SnapshotRegistry {
 public:
  SnapshotRegistry(Store* store, Env* env, SnapshotRegistryOptions options = {});
  ~SnapshotRegistry();  // closes every snapshot

  // Opens a snapshot of `collection`: {"snapshot": id, "etag": n, "idle_timeout_seconds": n}.
  // NotFound if the collection never had a document.
  Result<Json> Open(const std::string& db, const std::string& collection);
  // One operation (collection_protocol.h) on the snapshot the request names. NotFound if no
  // such snapshot is open (never opened, closed, or idle too long).
  Result<Json> Handle(const std::string& db, std::string_view op, const Json& request);
  // OK if it was already gone.
  Status Close(const std::string& db, const std::string& id);

  size_t open_count();

 private:
  struct Open_ {
    std::string db;
    std::mutex mu;  // one request at a time reads the snapshot
    std::unique_ptr<SnapshotSource> source;
    int64_t last_used = 0;  // GUARDED_BY(SnapshotRegistry::mu_)
  };
  void ExpireLoop();

  Store* store_;
  Env* env_;
  SnapshotRegistryOptions options_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                 // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Open_>> open_;    // GUARDED_BY(mu_)
  std::thread expirer_;
};

}  // namespace syncline
