// CollectionFollowers: collections that follow a master's (`replicate collection --follow`):
// after the initial sync, a worker per collection reads the master's change feed from its
// checkpoint and applies each page of changes, with the checkpoint, in one transaction, so it
// resumes exactly where it stopped after a restart of either side. Local writes to a followed
// collection are refused (sync/local_writer.cc) until `replicate stop`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "syncline/env.h"

namespace syncline {

// What a follower reads from its master. net/ implements it over HTTP.
class MasterFeed {
 public:
  virtual ~MasterFeed() = default;
  // The master's changes after `since` (every kind), at most `limit`; when there are none,
  // waits up to `wait_seconds` for one.
  virtual Result<ChangePage> Changes(int64_t since, int64_t limit, int wait_seconds) = 0;
  // The live documents among `keys` of `collection` as the master holds them now, in key order.
  virtual Result<std::vector<Item>> Documents(const std::string& collection,
                                              const std::vector<std::string>& keys) = 0;
};

// Opens the feed of a follower's master; a call gives up, Cancelled, once *cancel turns true.
using FeedOpener = std::function<Result<std::unique_ptr<MasterFeed>>(
    const FollowerRecord& follower, const std::atomic<bool>* cancel)>;

struct FollowerView {
  FollowerRecord record;          // master_key left out
  std::string state;              // following, retrying
  int64_t master_etag = 0;        // the master's last etag as last seen
  int64_t lag_etags = 0;          // master_etag - checkpoint
  double lag_seconds = 0;         // how long it has been behind
  int64_t documents_applied = 0;  // since this node started
  std::string error_code;         // the last failure, until a page applies
  std::string error_message;
};

struct FollowerOptions {
  int64_t page_size = 1000;
  int wait_seconds = 25;              // long-poll of the master's change feed
  int64_t min_backoff_micros = 500000;
  int64_t max_backoff_micros = 60000000;
};

// Thread-safe.
class CollectionFollowers {
 public:
  CollectionFollowers(Store* store, Env* env, FeedOpener opener, FollowerOptions options = {});
  ~CollectionFollowers();  // Stop()

  // Starts a worker for every follower the store holds.
  Status Start();
  // Records `follower` (replacing one of the same collection) and starts its worker.
  Status Follow(const std::string& db, const FollowerRecord& follower);
  // Stops following; NotFound if the collection follows nothing.
  Status Unfollow(const std::string& db, const std::string& collection);
  Result<std::vector<FollowerView>> List(const std::string& db);
  // Stops every worker.
  void Stop();

 private:
  struct Worker {
    std::string db;
    FollowerRecord record;
    std::atomic<bool> stop{false};
    std::thread thread;
    // GUARDED_BY(CollectionFollowers::mu_):
    std::string state = "following";
    int64_t master_etag = 0;
    int64_t behind_since = 0;  // 0: caught up
    int64_t applied = 0;
    Status last_error;
  };
  using Key = std::pair<std::string, std::string>;  // db, collection

  void StartWorker(const std::string& db, const FollowerRecord& follower);
  void Run(Worker* w);
  // Reads one page of changes and applies it. NotFound once the follower was removed.
  Status Step(Worker* w, MasterFeed& feed);
  void Record(Worker* w, const Status& s);
  // Joins and forgets a worker taken out of the map.
  static void Join(std::unique_ptr<Worker> w);

  Store* store_;
  Env* env_;
  FeedOpener opener_;
  FollowerOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::map<Key, std::unique_ptr<Worker>> workers_;  // GUARDED_BY(mu_)
};

}  // namespace syncline
