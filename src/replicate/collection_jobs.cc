// Collection sync jobs (collection_jobs.h).
#include "replicate/collection_jobs.h"

#include "util/json.h"
#include "util/json_reader.h"
#include "util/name.h"
#include "util/uuid.h"
#include "util/log.h"

namespace syncline {

namespace {

bool IsActive(const std::string& state) { return state == kJobPending || state == kJobRunning; }

Status CheckRequest(const CollectionSyncRequest& r) {
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(r.collection));
  SYNCLINE_RETURN_IF_ERROR(ValidateDatabaseName(r.master_db).WithContext("master database"));
  if (r.master_url.empty()) return Status::InvalidArgument("the master's URL is missing");
  if (r.max_wait_seconds < 1 || r.max_wait_seconds > 86400) {
    return Status::InvalidArgument("max_wait must be 1 to 86400 seconds");
  }
  return Status::OK();
}

// A short random id, as a person types it into `job status`.
std::string NewJobId(Random* random) {
  std::string uuid = NewUuid(random);
  std::string id;
  for (char c : uuid) {
    if (c != '-') id += c;
    if (id.size() == 12) break;
  }
  return id;
}

}  // namespace

std::string CollectionSyncResultJson(const CollectionSyncResult& r, int64_t bytes,
                                     int64_t requests,
                                     int64_t duration_micros) {
  return DumpJson({{"method", CollectionSyncMethodName(r.method)},
                   {"master_etag", r.master_etag},
                   {"inserted", r.counts.inserted},
                   {"updated", r.counts.updated},
                   {"removed", r.counts.removed},
                   {"unchanged", r.counts.unchanged},
                   {"documents_transferred", r.documents_transferred},
                   {"bytes_transferred", bytes},
                   {"requests", requests},
                   {"nodes_compared", r.nodes_compared},
                   {"entries_compared", r.entries_compared},
                   {"duration_seconds", static_cast<double>(duration_micros) / 1e6}});
}

CollectionJobs::CollectionJobs(Store* store, Env* env, MasterOpener opener)
    : store_(store), env_(env), opener_(std::move(opener)) {}

CollectionJobs::~CollectionJobs() { Stop(); }

Status CollectionJobs::Recover() {
  SYNCLINE_ASSIGN_OR_RETURN(auto dbs, store_->ListDatabases());
  for (const DatabaseInfo& db : dbs) {
    // Active jobs are few and recent: the newest thousand hold them all.
    SYNCLINE_ASSIGN_OR_RETURN(auto jobs, store_->ListJobs(db.name, 1000));
    for (JobRecord& j : jobs) {
      if (!IsActive(j.state)) continue;
      (void)store_->DropStage(db.name, j.id);  // only space: the next attempt drops it again
      j.state = kJobFailed;
      j.resumable = true;
      j.error_code = std::string(Status::CodeName(Status::Code::kUnavailable));
      j.error_message = "the node stopped while the job ran; `job resume` runs it again";
      j.finished_at = env_->clock->NowMicros();
      SYNCLINE_RETURN_IF_ERROR(store_->PutJob(db.name, j));
    }
  }
  return Status::OK();
}

Result<JobView> CollectionJobs::Start(const std::string& db, const CollectionSyncRequest& r) {
  SYNCLINE_RETURN_IF_ERROR(CheckRequest(r));
  SYNCLINE_RETURN_IF_ERROR(store_->GetDatabase(db).status());
  JobRecord job;
  job.id = NewJobId(env_->random);
  job.collection = r.collection;
  job.master_url = r.master_url;
  job.master_db = r.master_db;
  job.master_key = r.master_key;
  job.method = std::string(CollectionSyncMethodName(r.method));
  job.max_wait_seconds = r.max_wait_seconds;
  job.follow = r.follow;
  job.created_at = env_->clock->NowMicros();
  return Launch(db, std::move(job), /*resuming=*/false);
}

Result<JobView> CollectionJobs::Launch(const std::string& db, JobRecord job, bool resuming) {
  std::unique_lock<std::mutex> lock(mu_);
  // A resumed job's previous run may have saved its end but not yet said it finished.
  changed_.wait(lock, [&] {
    auto it = running_.find(job.id);
    return it == running_.end() || it->second->finished;
  });
  if (stopping_) return Status::Unavailable("the node is stopping");
  if (resuming) {
    // Read again under the lock: another resume of the same job may have run it meanwhile.
    SYNCLINE_ASSIGN_OR_RETURN(auto now, store_->GetJob(db, job.id));
    if (!now || !now->resumable || IsActive(now->state)) {
      return Status::PreconditionFailed("job " + job.id + " is " +
                                        (now ? now->state : std::string("gone")) +
                                        ", not resumable");
    }
  }
  ReapLocked();
  for (const auto& [id, run] : running_) {
    if (id != job.id && run->db == db && !run->finished) {
      // Two syncs of one collection at once would race for its final transaction.
      SYNCLINE_ASSIGN_OR_RETURN(auto other, store_->GetJob(db, id));
      if (other && other->collection == job.collection) {
        return Status::PreconditionFailed("job " + id + " is syncing collection '" +
                                          job.collection + "' already");
      }
    }
  }
  job.state = kJobRunning;
  job.resumable = false;
  job.result.clear();
  job.error_code.clear();
  job.error_message.clear();
  job.started_at = env_->clock->NowMicros();
  job.finished_at = 0;
  SYNCLINE_RETURN_IF_ERROR(store_->PutJob(db, job));
  auto run = std::make_unique<Running>();
  run->db = db;
  Running* raw = run.get();
  running_[job.id] = std::move(run);
  JobView view{job, {}, 0};
  Log(LogLevel::kInfo, "job.start",
      {{"db", db}, {"job", job.id}, {"collection", job.collection}, {"master", job.master_url},
       {"method", job.method}});
  Announce(db, job);
  raw->thread = std::thread([this, db, job, raw] { RunJob(db, job, raw); });
  return view;
}

void CollectionJobs::Announce(const std::string& db, const JobRecord& job) {
  if (!events_) return;
  events_->Append("job", db,
                  Json{{"job", job.id},
                       {"collection", job.collection},
                       {"state", job.state},
                       {"error_code", job.error_code.empty() ? Json() : Json(job.error_code)}});
}

void CollectionJobs::RunJob(const std::string& db, JobRecord job, Running* run) {
  CollectionSyncRequest request;
  request.collection = job.collection;
  request.master_url = job.master_url;
  request.master_db = job.master_db;
  request.master_key = job.master_key;
  request.max_wait_seconds = job.max_wait_seconds;
  Result<CollectionSyncMethod> method = ParseCollectionSyncMethod(job.method);
  request.method = method.ok() ? *method : CollectionSyncMethod::kMerkle;
  auto keep_going = [run]() -> Status {
    return run->cancel ? Status::Cancelled("the job was cancelled") : Status::OK();
  };
  // A call the cancel aborted fails with Cancelled too; one that failed for its own reason
  // meanwhile keeps its own error.
  auto progress = [this, run](const CollectionSyncProgress& p) {
    std::lock_guard<std::mutex> lock(mu_);
    run->progress = p;
  };
  Result<CollectionSyncResult> result = [&]() -> Result<CollectionSyncResult> {
    SYNCLINE_RETURN_IF_ERROR(method.status());
    SYNCLINE_ASSIGN_OR_RETURN(auto master, opener_(request, &run->moved, &run->cancel));
    SYNCLINE_ASSIGN_OR_RETURN(CollectionSyncResult r,
                              RunCollectionSync(store_, db, job.collection, job.id,
                                                request.method, *master, keep_going, progress));
    // Changes after the snapshot come through the feed, from its etag on.
    if (job.follow && follow_) SYNCLINE_RETURN_IF_ERROR(follow_(db, job, r.master_etag));
    return r;
  }();
  // The master's snapshot is released (the source is gone) before the job says it ended.
  job.finished_at = env_->clock->NowMicros();
  if (result.ok()) {
    job.state = kJobDone;
    job.result = CollectionSyncResultJson(*result, run->moved.bytes, run->moved.requests,
                                          job.finished_at - job.started_at);
  } else {
    bool cancelled = result.status().code() == Status::Code::kCancelled;
    job.state = cancelled ? kJobCancelled : kJobFailed;
    job.resumable = true;
    job.error_code = std::string(Status::CodeName(result.status().code()));
    job.error_message = result.status().message();
  }
  LogStatus(LogLevel::kWarn, "job.finish",
            {{"db", db}, {"job", job.id}, {"collection", job.collection}, {"state", job.state}},
            result.status());
  // If even this write fails, the record still says running: the next start recovers it.
  (void)store_->PutJob(db, job);
  Announce(db, job);
  std::lock_guard<std::mutex> lock(mu_);
  run->finished = true;
  changed_.notify_all();
}

void CollectionJobs::ReapLocked() {
  for (auto it = running_.begin(); it != running_.end();) {
    if (it->second->finished) {
      it->second->thread.join();
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

JobView CollectionJobs::ViewOf(const JobRecord& record) {
  JobView view{record, {}, 0};
  auto it = running_.find(record.id);
  if (it != running_.end() && !it->second->finished) {
    view.progress = it->second->progress;
    view.bytes = it->second->moved.bytes;
  } else if (!record.result.empty()) {
    Json r = ParseStoredJson(record.result);
    view.bytes = JsonNumber(r, "bytes_transferred");
    view.progress.documents = JsonNumber(r, "documents_transferred");
  }
  return view;
}

Result<JobView> CollectionJobs::Get(const std::string& db, const std::string& id) {
  SYNCLINE_ASSIGN_OR_RETURN(auto job, store_->GetJob(db, id));
  if (!job) return Status::NotFound("job '" + id + "' not found");
  std::lock_guard<std::mutex> lock(mu_);
  return ViewOf(*job);
}

Result<std::vector<JobView>> CollectionJobs::List(const std::string& db, int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(auto jobs, store_->ListJobs(db, limit));
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobView> out;
  for (const JobRecord& j : jobs) out.push_back(ViewOf(j));
  return out;
}

Status CollectionJobs::Cancel(const std::string& db, const std::string& id) {
  SYNCLINE_ASSIGN_OR_RETURN(auto job, store_->GetJob(db, id));
  if (!job) return Status::NotFound("job '" + id + "' not found");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end() || it->second->finished) {
    return Status::PreconditionFailed("job " + id + " is " + job->state + ", not running");
  }
  it->second->cancel = true;
  return Status::OK();
}

Result<JobView> CollectionJobs::Resume(const std::string& db, const std::string& id) {
  SYNCLINE_ASSIGN_OR_RETURN(auto job, store_->GetJob(db, id));
  if (!job) return Status::NotFound("job '" + id + "' not found");
  if (!job->resumable || IsActive(job->state)) {
    return Status::PreconditionFailed("job " + id + " is " + job->state + ", not resumable");
  }
  return Launch(db, std::move(*job), /*resuming=*/true);
}

Result<JobView> CollectionJobs::Wait(const std::string& db, const std::string& id) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] {
      auto it = running_.find(id);
      return it == running_.end() || it->second->finished;
    });
  }
  return Get(db, id);
}

void CollectionJobs::Stop() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  for (auto& [id, run] : running_) run->cancel = true;
  changed_.wait(lock, [&] {
    for (auto& [id, run] : running_) {
      if (!run->finished) return false;
    }
    return true;
  });
  ReapLocked();
}

}  // namespace syncline
