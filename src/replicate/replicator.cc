// Replicator: worker threads, their wake-ups and backoff.
#include "replicate/replicator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

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

  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  // One run now, after any run in progress; used by RunNow.
  DestinationRun RunOnce(bool drain) {
    std::lock_guard<std::mutex> run(run_mu_);
    return RunLocked(drain);
  }

 private:
  DestinationRun RunLocked(bool drain) {
    Result<Destination> dest = GetDestination(owner_->store_, db_, url_);
    if (!dest.ok()) {
      DestinationRun run;
      run.destination_url = url_;
      run.error = dest.status().message();
      return run;
    }
    PushOptions options;
    options.limit = owner_->options_.limit;
    options.drain = drain;
    options.stop = &stop_flag_;
    Pusher pusher = owner_->MakePusher(db_);
    DestinationRun run = pusher.Run(*dest, options);
    int64_t now = owner_->env_->clock->NowMicros();
    dest->last_run_at = now;
    dest->last_error = run.error;
    if (!run.error) {
      // An item that failed (say, locked there) makes the run fail too, so it is retried.
      for (const auto& r : run.reports) {
        if (r.error && r.error->find("is conflicted") == std::string::npos) {
          run.error = "item " + r.ref.key + ": " + *r.error;
          break;
        }
      }
      dest->last_error = run.error;
    }
    if (!run.error) dest->last_success_at = now;
    dest->last_etag = run.last_etag;
    (void)UpdateDestinationHealth(owner_->store_, db_, *dest);  // health only; next run rewrites
    if (run.error) {
      spdlog::warn("sync {} -> {}: {}", db_, url_, *run.error);
    }
    if (run.more_pending) Wake();
    return run;
  }

  void Loop() {
    int64_t backoff = 0;
    std::unique_lock<std::mutex> lock(mu_);
    woken_ = true;  // a first run catches up with whatever changed while we were away
    while (!stop_) {
      if (backoff > 0) {
        // A failing destination is retried when its backoff ends, not on every change.
        cv_.wait_for(lock, std::chrono::microseconds(backoff), [&] { return stop_; });
      } else {
        cv_.wait_for(lock, std::chrono::microseconds(owner_->options_.period_micros),
                     [&] { return stop_ || woken_; });
      }
      if (stop_) break;
      woken_ = false;
      lock.unlock();
      DestinationRun run;
      {
        std::lock_guard<std::mutex> r(run_mu_);
        run = RunLocked(true);
      }
      lock.lock();
      backoff = run.error ? std::clamp<int64_t>(backoff * 2, 1000000,
                                                owner_->options_.max_backoff_micros)
                          : 0;
    }
  }

  Replicator* owner_;
  const std::string db_, url_;
  std::mutex run_mu_;  // one run at a time, background or manual
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;  // GUARDED_BY(mu_)
  bool stop_ = false;   // GUARDED_BY(mu_)
  std::atomic<bool> stop_flag_{false};
  std::thread thread_;  // last: starts after the fields above exist
};

Replicator::Replicator(Store* store, Env* env, std::string self_url, RemoteFactory factory,
                       ReplicatorOptions options)
    : store_(store), env_(env), self_url_(std::move(self_url)), factory_(std::move(factory)),
      options_(options) {}

Replicator::~Replicator() { Stop(); }

void Replicator::Start() {
  Result<std::vector<DatabaseInfo>> dbs = store_->ListDatabases();
  if (!dbs.ok()) {
    spdlog::error("sync: cannot list databases: {}", dbs.status().message());
    return;
  }
  for (const auto& db : *dbs) {
    Status s = DestinationsChanged(db.name);
    if (!s.ok()) spdlog::error("sync: database {}: {}", db.name, s.message());
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
        it->second->Wake();
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
      runs.push_back(MakePusher(db).Run(d, options));
    }
  }
  return runs;
}

Result<SyncReport> Replicator::PushItem(const std::string& db, const Destination& dest,
                                        const ItemRef& ref) {
  return MakePusher(db).PushItem(dest, ref);
}

std::vector<ActivityEntry> Replicator::Active(const std::string& db) {
  return ActivityFor(db)->Active();
}

std::vector<ActivityEntry> Replicator::Pending(const std::string& db) {
  return ActivityFor(db)->Pending();
}

}  // namespace syncline
