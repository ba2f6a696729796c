// CollectionJobs: collection syncs (collection_sync.h) run as jobs on the replica, each on a
// thread of its own, with an id, progress, a result or an error, kept in the store so that a
// job outlives the request that started it and a restart of the node: a job that was running
// when the node stopped comes back failed and resumable, never lost.
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

#include "replicate/collection_sync.h"
#include "replicate/event_log.h"
#include "store/store.h"
#include "syncline/env.h"

namespace syncline {

// What to sync from where.
struct CollectionSyncRequest {
  std::string collection;
  std::string master_url;
  std::string master_db;
  std::string master_key;
  CollectionSyncMethod method = CollectionSyncMethod::kMerkle;
  int64_t max_wait_seconds = 300;  // the longest the replica waits for any answer of the master
  bool follow = false;             // once done, follow the master's changes (collection_followers.h)
};

// Called when a job with `follow` is done, with the master's etag at its snapshot; its error
// fails the job.
using FollowFn = std::function<Status(const std::string& db, const JobRecord& job,
                                      int64_t master_etag)>;

// Opens the master's side of a sync: a snapshot of its collection (net/ does it over HTTP).
// What a source moved: request and answer body bytes, and requests.
struct TransferCounters {
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> requests{0};
};

// The source adds what it moves to *counters, and gives up a call, Cancelled, once *cancel
// turns true.
using MasterOpener = std::function<Result<std::unique_ptr<CollectionSource>>(
    const CollectionSyncRequest& request, TransferCounters* counters,
    const std::atomic<bool>* cancel)>;

// A job as callers see it: its record, and while it runs, its progress.
struct JobView {
  JobRecord record;
  CollectionSyncProgress progress;
  int64_t bytes = 0;  // moved so far (running) or in all (finished)
};

// Job states (JobRecord::state).
inline constexpr char kJobPending[] = "pending";
inline constexpr char kJobRunning[] = "running";
inline constexpr char kJobDone[] = "done";
inline constexpr char kJobFailed[] = "failed";
inline constexpr char kJobCancelled[] = "cancelled";

// Thread-safe.
class CollectionJobs {
 public:
  CollectionJobs(Store* store, Env* env, MasterOpener opener);
  ~CollectionJobs();  // Stop()
  CollectionJobs(const CollectionJobs&) = delete;
  CollectionJobs& operator=(const CollectionJobs&) = delete;

  // Set before the first Start.
  void set_follow(FollowFn follow) { follow_ = std::move(follow); }
  // Where jobs announce their states ("job"); set before the first Start. Not owned.
  void set_events(EventLog* events) { events_ = events; }

  // Marks every job a stopped node left pending or running as failed and resumable, and drops
  // what it had staged. Call once, before Start.
  Status Recover();

  // Records a new job and starts it. InvalidArgument for a bad request.
  Result<JobView> Start(const std::string& db, const CollectionSyncRequest& request);
  // NotFound for an unknown id.
  Result<JobView> Get(const std::string& db, const std::string& id);
  Result<std::vector<JobView>> List(const std::string& db, int64_t limit);
  // Asks a running job to stop at its next step; it ends `cancelled` with the collection as it
  // was. PreconditionFailed if the job is not running.
  Status Cancel(const std::string& db, const std::string& id);
  // Runs a failed or cancelled resumable job again, from the start. PreconditionFailed if the
  // job is not resumable.
  Result<JobView> Resume(const std::string& db, const std::string& id);
  // Blocks until the job is no longer pending or running.
  Result<JobView> Wait(const std::string& db, const std::string& id);

  // Cancels every running job and waits for them.
  void Stop();

 private:
  struct Running {
    std::string db;
    std::atomic<bool> cancel{false};
    TransferCounters moved;
    CollectionSyncProgress progress;  // GUARDED_BY(mu_)
    std::thread thread;
    bool finished = false;  // GUARDED_BY(mu_)
  };

  // Starts a run of `record`; `resuming`: only if it is still resumable once any earlier run
  // of the same id has ended.
  Result<JobView> Launch(const std::string& db, JobRecord record, bool resuming);
  void RunJob(const std::string& db, JobRecord record, Running* running);
  // Joins the threads of jobs that ended. REQUIRES: mu_ held.
  void ReapLocked();
  JobView ViewOf(const JobRecord& record);

  Store* store_;
  Env* env_;
  MasterOpener opener_;
  FollowFn follow_;
  EventLog* events_ = nullptr;
  // Announces the job's state as an event.
  void Announce(const std::string& db, const JobRecord& job);

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::unique_ptr<Running>> running_;  // by job id; GUARDED_BY(mu_)
  bool stopping_ = false;                                    // GUARDED_BY(mu_)
};

// The result of a finished job as JSON text (JobRecord::result).
std::string CollectionSyncResultJson(const CollectionSyncResult& r, int64_t bytes,
                                     int64_t requests,
                                     int64_t duration_micros);

}  // namespace syncline
