// Replicator: keeps every database's enabled destinations up to date. One worker thread per
// (database, destination) runs the Pusher when the database changes (promptly), every `period`,
// and on demand; a failing destination is retried as retry_policy.h decides.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replicate/activity.h"
#include "replicate/event_log.h"
#include "replicate/pusher.h"
#include "replicate/remote.h"
#include "replicate/retry_policy.h"
#include "store/store.h"
#include "syncline/env.h"

namespace syncline {

struct ReplicatorOptions {
  int64_t period_micros = 10 * 60 * 1000000LL;  // periodic run of every destination
  int limit = 5;                                // works at once per destination
  int64_t max_backoff_micros = 60 * 1000000LL;
  bool automatic = true;  // false: no background pushes; only RunNow and PushItem sync
};

// What a destination's background worker is doing, for monitoring and for tests that must
// know a node is quiet (they wait for this signal, never for a fixed time).
struct WorkerState {
  // "none": no background worker (--manual-sync, disabled or unknown); "running"; "waiting":
  // woken, about to run; "backoff": a failed run waits to be retried; "idle".
  std::string state = "none";
  // The change feed position the last successful run went through: an idle worker whose
  // idle_at_etag is the database's last etag has nothing left to push.
  int64_t idle_at_etag = 0;
};

// What the runs to one destination have done since the process started (metrics, studio).
struct RunCounters {
  std::string db;
  std::string url;
  int64_t runs = 0;
  int64_t retries = 0;  // runs that followed a failed run
  std::map<std::string, int64_t> failures;  // failed runs by error code (Status::CodeName)
  int64_t items = 0;                        // items reported, conflicts included
  int64_t conflicts = 0;
  int64_t bytes_transferred = 0;
  // The last run that moved bytes: how many, over how long (its rate).
  int64_t last_bytes = 0;
  int64_t last_micros = 0;
  bool last_failed = false;
};

// Thread-safe.
class Replicator {
 public:
  // `self_url` is how other nodes reach this one (reports and conflicts name it).
  Replicator(Store* store, Env* env, std::string self_url, RemoteFactory factory,
             ReplicatorOptions options);
  ~Replicator();

  // Where runs are announced ("sync.start", "sync.run"); set before Start. Not owned.
  void set_events(EventLog* events) { events_ = events; }

  // Starts workers for the enabled destinations of every database, each with a first run.
  void Start();
  void Stop();

  // The database committed a change: wake its workers. Quick; never calls the store.
  void OnChange(const std::string& db);
  // The database's destinations were edited: start, wake or stop workers to match.
  Status DestinationsChanged(const std::string& db);

  // Runs every enabled destination of `db` now (after any run in progress) and returns what
  // each did. Without `force` each destination starts at most `limit` works and the rest stay
  // pending for the background worker.
  Result<std::vector<DestinationRun>> RunNow(const std::string& db, bool force);

  // Pushes one item to any destination.
  Result<SyncReport> PushItem(const std::string& db, const Destination& dest, const ItemRef& ref);

  WorkerState StateOf(const std::string& db, const std::string& url);

  // Every destination run since the start, in (db, url) order.
  std::vector<RunCounters> Counters();

  std::vector<ActivityEntry> Active(const std::string& db);
  std::vector<ActivityEntry> Pending(const std::string& db);

 private:
  class Worker;

  SyncActivity* ActivityFor(const std::string& db);
  // A run to `url` begins: announced.
  void RunStarted(const std::string& db, const std::string& url);
  // A run ended after `micros`: its health recorded on the destination (with when a failed
  // run is retried, after `backoff`), counted, logged and announced with the worker's state.
  void RunFinished(const std::string& db, const DestinationRun& run, int64_t micros,
                   const std::string& state, int64_t backoff);
  void RecordHealth(const std::string& db, const DestinationRun& run, int64_t backoff);
  Pusher MakePusher(const std::string& db);

  Store* store_;
  Env* env_;
  std::string self_url_;
  RemoteFactory factory_;
  ReplicatorOptions options_;
  RetryOptions retry_;
  EventLog* events_ = nullptr;

  std::mutex mu_;
  bool stopped_ = false;                                        // GUARDED_BY(mu_)
  std::map<std::string, std::map<std::string, std::shared_ptr<Worker>>> workers_;  // db -> url
  std::map<std::string, std::unique_ptr<SyncActivity>> activity_;  // GUARDED_BY(mu_)
  std::mutex counters_mu_;
  std::map<std::pair<std::string, std::string>, RunCounters> counters_;  // GUARDED_BY(counters_mu_)
};

}  // namespace syncline
