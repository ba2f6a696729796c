// Replicator: worker threads, their wake-ups and backoff.
#include "replicate/replicator.h"


#include <algorithm>
#include <chrono>

#include "replicate/retry_policy.h"
#include "util/log.h"

namespace syncline {

// Runs one destination of one database until stopped.
class Replicator::Worker {
 public:
  Worker(Replicator* owner, std::string db, std::string url)
      : owner_(owner), db_(std::move(db)), url_(std::move(url)),
        thread_([this] { Loop(); }) {}

  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    stop_flag_ = true;
    cv_.notify_all();
    thread_.join();
  }

  // The database changed: run now, unless a failure's backoff is running.
  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  // The destination was edited: run now, even during a backoff (the edit may be the fix).
  void Kick() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = kicked_ = true;
    }
    cv_.notify_all();
  }

  WorkerState State() {
    std::lock_guard<std::mutex> lock(mu_);
    WorkerState s;
    s.idle_at_etag = idle_at_;
    s.state = running_ ? "running" : woken_ ? "waiting" : backoff_ > 0 ? "backoff" : "idle";
    return s;
  }

  // One run now, after any run in progress; used by RunNow.
  DestinationRun RunOnce(bool drain) {
    std::lock_guard<std::mutex> run(run_mu_);
    return RunLocked(drain);
  }

 private:
  // One run, with its outcome recorded on the destination. Never throws.
  DestinationRun RunLocked(bool drain) {
    DestinationRun run;
    run.destination_url = url_;
    int64_t started = owner_->env_->clock->NowMicros();
    owner_->RunStarted(db_, url_);
    try {
      run = Push(drain);
    } catch (const std::exception& e) {
      // Last resort: a bug fails this run, never the process.
      run.error = Status::Internal(std::string("unexpected error: ") + e.what());
    }
    // An item that failed (say, locked there) fails the run; a conflict is settled.
    if (run.error.ok()) run.error = run.item_error;
    int64_t backoff;
    {
      std::lock_guard<std::mutex> lock(mu_);
      backoff = backoff_ = NextRetryDelay(run.error, backoff_, owner_->retry_);
      if (run.more_pending) woken_ = true;
      if (run.error.ok() && !run.more_pending) idle_at_ = run.walked_to;
    }
    // Outside mu_: recording health is a store write, which calls back into OnChange.
    owner_->RunFinished(db_, run, owner_->env_->clock->NowMicros() - started,
                        backoff > 0 ? "backoff" : run.more_pending ? "waiting" : "idle", backoff);
    return run;
  }

  DestinationRun Push(bool drain) {
    Result<Destination> dest = GetDestination(owner_->store_, db_, url_);
    if (!dest.ok()) {
      DestinationRun run;
      run.destination_url = url_;
      run.error = dest.status();
      return run;
    }
    PushOptions options;
    options.limit = owner_->options_.limit;
    options.drain = drain;
    options.stop = &stop_flag_;
    return owner_->MakePusher(db_).Run(*dest, options);
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    woken_ = true;  // a first run catches up with whatever changed while we were away
    while (!stop_) {
      Clock* clock = owner_->env_->clock;
      if (backoff_ > 0) {
        // A failing destination is retried when its backoff ends, not on every change.
        clock->WaitUntil(cv_, lock, clock->NowMicros() + backoff_, [&] { return stop_ || kicked_; });
      } else {
        clock->WaitUntil(cv_, lock, clock->NowMicros() + owner_->options_.period_micros,
                         [&] { return stop_ || woken_; });
      }
      if (stop_) break;
      woken_ = kicked_ = false;
      running_ = true;
      lock.unlock();
      {
        std::lock_guard<std::mutex> r(run_mu_);
        (void)RunLocked(true);
      }
      lock.lock();
      running_ = false;
    }
  }

  Replicator* owner_;
  const std::string db_, url_;
  std::mutex run_mu_;  // one run at a time, background or manual
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;   // GUARDED_BY(mu_)
  bool kicked_ = false;  // GUARDED_BY(mu_)
  bool stop_ = false;    // GUARDED_BY(mu_)
  int64_t backoff_ = 0;  // GUARDED_BY(mu_): the wait before the next automatic run
  bool running_ = false;  // GUARDED_BY(mu_): a background run is under way
  int64_t idle_at_ = 0;   // GUARDED_BY(mu_): see WorkerState
  std::atomic<bool> stop_flag_{false};
  std::thread thread_;  // last: starts after the fields above exist
};

Replicator::Replicator(Store* store, Env* env, std::string self_url, RemoteFactory factory,
                       ReplicatorOptions options)
    : store_(store), env_(env), self_url_(std::move(self_url)), factory_(std::move(factory)),
      options_(options) {
  retry_.max_backoff_micros = options.max_backoff_micros;
  retry_.period_micros = std::max(options.period_micros, options.max_backoff_micros);
}

Replicator::~Replicator() { Stop(); }

void Replicator::Start() {
  Result<std::vector<DatabaseInfo>> dbs = store_->ListDatabases();
  if (!dbs.ok()) {
    LogStatus(LogLevel::kError, "sync.start", {}, dbs.status());
    return;
  }
  for (const auto& db : *dbs) {
    Status s = DestinationsChanged(db.name);
    if (!s.ok()) LogStatus(LogLevel::kError, "sync.start", {{"db", db.name}}, s);
  }
}

void Replicator::Stop() {
  std::map<std::string, std::map<std::string, std::shared_ptr<Worker>>> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    workers.swap(workers_);
  }
  workers.clear();  // joins each worker outside mu_
}

void Replicator::OnChange(const std::string& db) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = workers_.find(db);
  if (it == workers_.end()) return;
  for (auto& [url, w] : it->second) w->Wake();
}

Status Replicator::DestinationsChanged(const std::string& db) {
  Result<std::vector<Destination>> dests = ListDestinations(store_, db);
  if (!dests.ok() && !dests.status().IsNotFound()) return dests.status();
  std::map<std::string, bool> wanted;
  if (dests.ok()) {
    for (const auto& d : *dests) {
      if (d.enabled) wanted[d.url] = true;
    }
  }
  std::vector<std::shared_ptr<Worker>> retired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_ || !options_.automatic) return Status::OK();
    auto& mine = workers_[db];
    for (auto it = mine.begin(); it != mine.end();) {
      if (wanted.count(it->first)) {
        it->second->Kick();
        ++it;
      } else {
        retired.push_back(std::move(it->second));
        if (activity_.count(db)) activity_[db]->ClearDestination(it->first);
        it = mine.erase(it);
      }
    }
    for (const auto& [url, _] : wanted) {
      if (!mine.count(url)) mine[url] = std::make_shared<Worker>(this, db, url);
    }
    if (mine.empty()) workers_.erase(db);
  }
  retired.clear();  // joins outside mu_
  return Status::OK();
}

SyncActivity* Replicator::ActivityFor(const std::string& db) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& a = activity_[db];
  if (!a) a = std::make_unique<SyncActivity>();
  return a.get();
}

Pusher Replicator::MakePusher(const std::string& db) {
  SyncSource self{store_->node_id(), db, self_url_};
  return Pusher(store_, env_->clock, db, self, factory_, ActivityFor(db));
}

Result<std::vector<DestinationRun>> Replicator::RunNow(const std::string& db, bool force) {
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Destination> dests, ListDestinations(store_, db));
  std::vector<DestinationRun> runs;
  for (const Destination& d : dests) {
    if (!d.enabled) continue;
    std::shared_ptr<Worker> worker;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = workers_.find(db);
      if (it != workers_.end() && it->second.count(d.url)) worker = it->second[d.url];
    }
    if (worker) {
      runs.push_back(worker->RunOnce(force));
    } else {
      PushOptions options;
      options.limit = options_.limit;
      options.drain = force;
      int64_t started = env_->clock->NowMicros();
      RunStarted(db, d.url);
      runs.push_back(MakePusher(db).Run(d, options));
      RunFinished(db, runs.back(), env_->clock->NowMicros() - started, "none", 0);
    }
  }
  return runs;
}

Result<SyncReport> Replicator::PushItem(const std::string& db, const Destination& dest,
                                        const ItemRef& ref) {
  return MakePusher(db).PushItem(dest, ref);
}

WorkerState Replicator::StateOf(const std::string& db, const std::string& url) {
  std::shared_ptr<Worker> worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = workers_.find(db);
    if (it == workers_.end() || !it->second.count(url)) return WorkerState{};
    worker = it->second[url];
  }
  return worker->State();
}

void Replicator::RecordHealth(const std::string& db, const DestinationRun& run, int64_t backoff) {
  Result<Destination> dest = GetDestination(store_, db, run.destination_url);
  if (!dest.ok()) return;  // removed meanwhile
  int64_t now = env_->clock->NowMicros();
  dest->last_run_at = now;
  dest->last_error = run.error;
  if (run.error.ok()) dest->last_success_at = now;
  // A run that failed before it learned what the destination has leaves that as it was.
  if (run.error.ok() || run.last_etag != 0) dest->last_etag = run.last_etag;
  dest->next_retry_at = backoff > 0 ? now + backoff : 0;
  (void)UpdateDestinationHealth(store_, db, *dest);  // health only; the next run rewrites it
}

void Replicator::RunStarted(const std::string& db, const std::string& url) {
  if (events_) events_->Append("sync.start", db, Json{{"destination", url}});
}

namespace {

// One line per run (what it moved, its error code if it failed), and one per conflict.
void LogRun(const std::string& db, const DestinationRun& run) {
  const std::string& url = run.destination_url;
  for (const SyncReport& r : run.reports) {
    if (r.error.code() != Status::Code::kConflicted) continue;
    Log(LogLevel::kWarn, "sync.conflict",
        {{"db", db}, {"destination", url}, {"kind", ItemKindName(r.ref.kind)},
         {"collection", r.ref.collection}, {"name", r.ref.key}},
        "settled as a conflict on the destination");
  }
  LogStatus(LogLevel::kWarn, "sync.run",
            {{"db", db}, {"destination", url}, {"items", run.items}, {"conflicts", run.conflicts},
             {"bytes_transferred", run.bytes_transferred}, {"last_etag", run.last_etag}},
            run.error);
}

}  // namespace

void Replicator::RunFinished(const std::string& db, const DestinationRun& run, int64_t micros,
                             const std::string& state, int64_t backoff) {
  RecordHealth(db, run, backoff);
  LogRun(db, run);
  if (events_) {
    Json e = {{"destination", run.destination_url},
              {"items", run.items},
              {"last_etag", run.last_etag},
              {"more_pending", run.more_pending},
              {"state", state},
              {"micros", micros},
              {"error_code", run.error.ok() ? Json() : Json(Status::CodeName(run.error.code()))},
              {"error", run.error.ok() ? Json() : Json(run.error.message())}};
    events_->Append("sync.run", db, std::move(e));
  }
  std::lock_guard<std::mutex> lock(counters_mu_);
  RunCounters& c = counters_[{db, run.destination_url}];
  c.db = db;
  c.url = run.destination_url;
  ++c.runs;
  if (c.last_failed) ++c.retries;
  c.last_failed = !run.error.ok();
  if (!run.error.ok()) ++c.failures[std::string(Status::CodeName(run.error.code()))];
  const int64_t bytes = run.bytes_transferred;
  c.items += run.items;
  c.conflicts += run.conflicts;
  c.bytes_transferred += bytes;
  if (bytes > 0) {
    c.last_bytes = bytes;
    c.last_micros = std::max<int64_t>(micros, 1);
  }
}

std::vector<RunCounters> Replicator::Counters() {
  std::lock_guard<std::mutex> lock(counters_mu_);
  std::vector<RunCounters> out;
  for (const auto& [key, c] : counters_) out.push_back(c);
  return out;
}

std::vector<ActivityEntry> Replicator::Active(const std::string& db) {
  return ActivityFor(db)->Active();
}

std::vector<ActivityEntry> Replicator::Pending(const std::string& db) {
  return ActivityFor(db)->Pending();
}

}  // namespace syncline
