// Collection sync over the API (docs/API.md, "Collection sync"): the master's snapshots, the
// replica's jobs, and tree checks.
#include "net/api.h"
#include "replicate/destinations.h"
#include "util/json_reader.h"
#include "util/name.h"
#include "util/zstd.h"

namespace syncline {

using api_internal::CompressIfAccepted;
using api_internal::JsonAnswer;
using api_internal::ObjectBody;

using api_internal::IntParam;

namespace {

Json JobJson(const std::string& db, const JobView& v) {
  const JobRecord& r = v.record;
  Json j = {{"id", r.id},
            {"db", db},
            {"collection", r.collection},
            {"master", {{"url", r.master_url}, {"db", r.master_db}}},
            {"method", r.method},
            {"max_wait_seconds", r.max_wait_seconds},
            {"state", r.state},
            {"follow", r.follow},
            {"resumable", r.resumable},
            {"progress", {{"phase", v.progress.phase},
                          {"documents", v.progress.documents},
                          {"bytes", v.bytes}}},
            {"result", r.result.empty() ? Json() : ParseStoredJson(r.result)},
            {"error", r.error_message.empty() ? Json() : Json(r.error_message)},
            {"error_code", r.error_code.empty() ? Json() : Json(r.error_code)},
            {"created_at", r.created_at},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at}};
  return j;
}

// {"collection", "from", "from_db", "from_key", "incremental", "method", "max_wait"}.
Result<CollectionSyncRequest> ReadSyncRequest(const std::string& db, const Json& body) {
  CollectionSyncRequest r;
  SYNCLINE_ASSIGN_OR_RETURN(r.collection, JsonString(body, "collection"));
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(r.collection));
  SYNCLINE_ASSIGN_OR_RETURN(std::string from, JsonString(body, "from"));
  SYNCLINE_ASSIGN_OR_RETURN(r.master_url, NormalizeNodeUrl(from));
  SYNCLINE_ASSIGN_OR_RETURN(r.master_db, JsonStringOr(body, "from_db", db));
  SYNCLINE_RETURN_IF_ERROR(ValidateDatabaseName(r.master_db).WithContext("from_db"));
  SYNCLINE_ASSIGN_OR_RETURN(r.master_key, JsonStringOr(body, "from_key", ""));
  SYNCLINE_ASSIGN_OR_RETURN(bool incremental, JsonBoolOr(body, "incremental", false));
  SYNCLINE_ASSIGN_OR_RETURN(std::string method,
                            JsonStringOr(body, "method", incremental ? "merkle" : "full"));
  SYNCLINE_ASSIGN_OR_RETURN(r.method, ParseCollectionSyncMethod(method));
  if (incremental == (r.method == CollectionSyncMethod::kFull)) {
    return Status::InvalidArgument(incremental ? "an incremental sync's method is merkle or keys"
                                               : "method " + method + " needs incremental");
  }
  SYNCLINE_ASSIGN_OR_RETURN(r.max_wait_seconds, JsonIntOr(body, "max_wait", 300));
  SYNCLINE_ASSIGN_OR_RETURN(r.follow, JsonBoolOr(body, "follow", false));
  return r;
}

}  // namespace

Status Api::CheckCollectionSync(const std::string& db) const {
  if (!snapshots_ || !jobs_ || !followers_) return Status::Unavailable("collection sync is not running");
  return store_->GetDatabase(db).status();
}

ApiResponse Api::OpenSnapshot(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::string> collection = JsonString(*body, "collection");
  if (!collection.ok()) return ApiResponse::Error(collection.status());
  Result<Json> opened = snapshots_->Open(c.db, *collection);
  if (!opened.ok()) return ApiResponse::Error(opened.status());
  return JsonAnswer(*opened, 201);
}

ApiResponse Api::SnapshotOp(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<Json> out = snapshots_->Handle(c.db, c.rest, *body);
  if (!out.ok()) return ApiResponse::Error(out.status());
  ApiResponse r = JsonAnswer(*out);
  CompressIfAccepted(c.req, &r);
  return r;
}

ApiResponse Api::CloseSnapshot(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  if (Status s = snapshots_->Close(c.db, c.rest); !s.ok()) return ApiResponse::Error(s);
  ApiResponse r;
  r.status = 204;
  return r;
}

ApiResponse Api::StartCollectionSync(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<CollectionSyncRequest> request = ReadSyncRequest(c.db, *body);
  if (!request.ok()) return ApiResponse::Error(request.status());
  Result<bool> async = JsonBoolOr(*body, "async", false);
  if (!async.ok()) return ApiResponse::Error(async.status());
  Result<JobView> job = jobs_->Start(c.db, *request);
  if (!job.ok()) return ApiResponse::Error(job.status());
  if (*async) return JsonAnswer(JobJson(c.db, *job), 202);
  job = jobs_->Wait(c.db, job->record.id);
  if (!job.ok()) return ApiResponse::Error(job.status());
  if (job->record.state == kJobDone) return JsonAnswer(JobJson(c.db, *job));
  // The job's own error decides the answer; the body says which job it was.
  Status failed = Status::FromCode(Status::CodeFromName(job->record.error_code),
                                   job->record.error_message);
  if (failed.ok()) failed = Status::Internal(job->record.error_message);
  ApiResponse r = ApiResponse::Error(failed);
  Json j = ParseStoredJson(r.body);
  j["job"] = JobJson(c.db, *job);
  r.body = DumpJson(j);
  return r;
}

ApiResponse Api::ListJobs(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<int64_t> limit = IntParam(c.target, "limit", 100, 1, 1000);
  if (!limit.ok()) return ApiResponse::Error(limit.status());
  Result<std::vector<JobView>> jobs = jobs_->List(c.db, *limit);
  if (!jobs.ok()) return ApiResponse::Error(jobs.status());
  Json out = Json::array();
  for (const JobView& v : *jobs) out.push_back(JobJson(c.db, v));
  return JsonAnswer(out);
}

ApiResponse Api::GetJob(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<JobView> job = jobs_->Get(c.db, c.rest);
  if (!job.ok()) return ApiResponse::Error(job.status());
  return JsonAnswer(JobJson(c.db, *job));
}

ApiResponse Api::JobAction(const ApiCall& c) {
  // POST /jobs/cancel or /jobs/resume with {"id"}.
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::string> id = JsonString(*body, "id");
  if (!id.ok()) return ApiResponse::Error(id.status());
  if (c.rest == "cancel") {
    if (Status s = jobs_->Cancel(c.db, *id); !s.ok()) return ApiResponse::Error(s);
    Result<JobView> job = jobs_->Get(c.db, *id);
    if (!job.ok()) return ApiResponse::Error(job.status());
    return JsonAnswer(JobJson(c.db, *job));
  }
  if (c.rest == "resume") {
    Result<JobView> job = jobs_->Resume(c.db, *id);
    if (!job.ok()) return ApiResponse::Error(job.status());
    return JsonAnswer(JobJson(c.db, *job), 202);
  }
  return ApiResponse::Error(Status::NotFound("no job action '" + c.rest + "' (cancel or resume)"));
}

ApiResponse Api::VerifyTrees(const ApiCall& c) {
  // {"collection" (default: every one), "repair" (default true)}
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::string> collection = JsonStringOr(*body, "collection", "");
  if (!collection.ok()) return ApiResponse::Error(collection.status());
  if (!collection->empty()) {
    if (Status s = ValidateCollectionName(*collection); !s.ok()) return ApiResponse::Error(s);
  }
  Result<bool> repair = JsonBoolOr(*body, "repair", true);
  if (!repair.ok()) return ApiResponse::Error(repair.status());
  Result<std::vector<TreeCheck>> checks = store_->CheckTrees(c.db, *collection, *repair);
  if (!checks.ok()) return ApiResponse::Error(checks.status());
  Json out = Json::array();
  for (const TreeCheck& t : *checks) {
    out.push_back({{"collection", t.collection},
                   {"documents", t.documents},
                   {"wrong_documents", t.wrong_documents},
                   {"wrong_nodes", t.wrong_nodes},
                   {"ok", t.ok()},
                   {"repaired", t.repaired}});
  }
  return JsonAnswer({{"collections", out}});
}

ApiResponse Api::ListFollowers(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  Result<std::vector<FollowerView>> list = followers_->List(c.db);
  if (!list.ok()) return ApiResponse::Error(list.status());
  Json out = Json::array();
  for (const FollowerView& v : *list) {
    out.push_back({{"collection", v.record.collection},
                   {"master", {{"url", v.record.master_url}, {"db", v.record.master_db}}},
                   {"state", v.state},
                   {"checkpoint_etag", v.record.checkpoint_etag},
                   {"master_etag", v.master_etag},
                   {"lag_etags", v.lag_etags},
                   {"lag_seconds", v.lag_seconds},
                   {"documents_applied", v.documents_applied},
                   {"error", v.error_message.empty() ? Json() : Json(v.error_message)},
                   {"error_code", v.error_code.empty() ? Json() : Json(v.error_code)},
                   {"created_at", v.record.created_at}});
  }
  return JsonAnswer(out);
}

ApiResponse Api::StopFollowing(const ApiCall& c) {
  if (Status s = CheckCollectionSync(c.db); !s.ok()) return ApiResponse::Error(s);
  if (Status s = followers_->Unfollow(c.db, c.collection); !s.ok()) return ApiResponse::Error(s);
  return JsonAnswer({{"collection", c.collection}, {"following", false}});
}

}  // namespace syncline
