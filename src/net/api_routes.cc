// The API's one route table, and the dispatch that uses it: every resource, its methods, and
// what handles each. Allow headers, HEAD, uploads and slow requests all come from here.
#include "net/api.h"
#include "util/name.h"

namespace syncline {

// Order matters only where a literal and a placeholder could both match: literals first.
const std::vector<Api::Route>& Api::Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/v1/health", &Api::Health, nullptr, kPublic},
      {"GET", "/v1/db", &Api::ListDatabases, nullptr, 0},
      {"PUT", "/v1/db/{db}", &Api::CreateDatabase, nullptr, 0},
      {"GET", "/v1/db/{db}", &Api::GetDatabase, nullptr, 0},
      {"DELETE", "/v1/db/{db}", &Api::DropDatabase, nullptr, 0},
      {"GET", "/v1/db/{db}/changes", &Api::Changes, nullptr, 0},
      {"GET", "/v1/db/{db}/stats", &Api::Stats, nullptr, kSlow},  // reads every manifest
      {"POST", "/v1/db/{db}/gc", &Api::CollectGarbage, nullptr, kSlow},
      // Documents.
      {"GET", "/v1/db/{db}/docs/{collection}", &Api::ListDocuments, nullptr, 0},
      {"GET", "/v1/db/{db}/docs/{collection}/{key+}", &Api::GetDocument, nullptr, 0},
      {"PUT", "/v1/db/{db}/docs/{collection}/{key+}", &Api::PutDocument, nullptr, 0},
      {"DELETE", "/v1/db/{db}/docs/{collection}/{key+}", &Api::DeleteDocument, nullptr, 0},
      {"POST", "/v1/db/{db}/find/{collection}", &Api::FindDocuments, nullptr, 0},
      {"POST", "/v1/db/{db}/bulk", &Api::BulkDocuments, nullptr, 0},
      // Files.
      {"GET", "/v1/db/{db}/files", &Api::ListFiles, nullptr, 0},
      {"GET", "/v1/db/{db}/files/{name+}", &Api::GetFile, nullptr, 0},
      {"PUT", "/v1/db/{db}/files/{name+}", nullptr, &Api::BeginFileUpload, 0},
      {"DELETE", "/v1/db/{db}/files/{name+}", &Api::DeleteFile, nullptr, 0},
      {"GET", "/v1/db/{db}/meta/{name+}", &Api::GetFileMetadata, nullptr, 0},
      {"PATCH", "/v1/db/{db}/meta/{name+}", &Api::UpdateFileMetadata, nullptr, 0},
      {"POST", "/v1/db/{db}/rename", &Api::RenameFile, nullptr, 0},
      // Sync, as its users see it.
      {"GET", "/v1/db/{db}/destinations", &Api::ListDestinations, nullptr, 0},
      {"POST", "/v1/db/{db}/destinations", &Api::AddDestination, nullptr, 0},
      {"PATCH", "/v1/db/{db}/destinations", &Api::UpdateDestination, nullptr, 0},
      {"DELETE", "/v1/db/{db}/destinations", &Api::RemoveDestination, nullptr, 0},
      {"POST", "/v1/db/{db}/sync/run", &Api::SyncRun, nullptr, kSlow},
      {"POST", "/v1/db/{db}/sync/start", &Api::SyncStart, nullptr, kSlow},
      {"GET", "/v1/db/{db}/sync/active", &Api::SyncActive, nullptr, 0},
      {"GET", "/v1/db/{db}/sync/pending", &Api::SyncPending, nullptr, 0},
      {"GET", "/v1/db/{db}/sync/finished", &Api::SyncFinished, nullptr, 0},
      {"GET", "/v1/db/{db}/sync/status", &Api::SyncStatus, nullptr, 0},
      {"GET", "/v1/db/{db}/conflicts", &Api::ListConflicts, nullptr, 0},
      {"GET", "/v1/db/{db}/conflicts/item", &Api::GetConflict, nullptr, 0},
      {"POST", "/v1/db/{db}/conflicts/resolve", &Api::ResolveConflict, nullptr, 0},
      // The protocol a source's Pusher speaks (protocol.h); chunk batches are binary and
      // megabytes each, so they take the streamed body path.
      {"POST", "/v1/db/{db}/sync/proto/chunks", nullptr, &Api::BeginSyncUpload, 0},
      {"POST", "/v1/db/{db}/sync/proto/chunk-recipes", nullptr, &Api::BeginSyncUpload, 0},
      {"POST", "/v1/db/{db}/sync/proto/{op}", &Api::SyncProtocol, nullptr, 0},
      // Collection sync: the master's snapshots (collection_protocol.h) ...
      {"POST", "/v1/db/{db}/snapshots", &Api::OpenSnapshot, nullptr, 0},
      {"POST", "/v1/db/{db}/snapshots/{op}", &Api::SnapshotOp, nullptr, kSlow},
      {"DELETE", "/v1/db/{db}/snapshots/{op}", &Api::CloseSnapshot, nullptr, 0},
      // ... and the replica's jobs.
      {"POST", "/v1/db/{db}/collection-sync", &Api::StartCollectionSync, nullptr, kSlow},
      {"GET", "/v1/db/{db}/jobs", &Api::ListJobs, nullptr, 0},
      {"GET", "/v1/db/{db}/jobs/{op}", &Api::GetJob, nullptr, 0},
      {"POST", "/v1/db/{db}/jobs/{op}", &Api::JobAction, nullptr, 0},
      {"POST", "/v1/db/{db}/verify", &Api::VerifyTrees, nullptr, kSlow},
      {"GET", "/v1/db/{db}/followers", &Api::ListFollowers, nullptr, 0},
      {"DELETE", "/v1/db/{db}/followers/{collection}", &Api::StopFollowing, nullptr, 0},
  };
  return kRoutes;
}

std::string ApiCall::Query(const std::string& name) const {
  auto it = target.query.find(name);
  return it == target.query.end() ? "" : it->second;
}

const Api::Route* Api::FindRoute(const ApiRequest& req, const Target& t, PathParams* params,
                                 ApiResponse* refusal) const {
  // HEAD is GET without the body (the session drops it).
  std::string_view method = req.method == "HEAD" ? "GET" : std::string_view(req.method);
  std::string allow;
  const Route* found = nullptr;
  // The patterns, split once (the table is static, so the views stay valid).
  static const std::vector<PathPattern> kPatterns = [] {
    std::vector<PathPattern> out;
    for (const Route& r : Routes()) out.emplace_back(r.path);
    return out;
  }();
  std::optional<std::string_view> path;  // the first pattern the path matched
  for (size_t i = 0; i < Routes().size(); ++i) {
    const Route& r = Routes()[i];
    PathParams p;
    if (path ? r.path != *path : !kPatterns[i].Match(t.segments, &p)) continue;
    if (!path) {
      path = r.path;
      *params = std::move(p);
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
    if (r.method == "GET") allow += ", HEAD";
    if (r.method == method) found = &r;
  }
  if (!path) {
    *refusal = ApiResponse::Error(Status::NotFound("no such resource: " + req.target));
    return nullptr;
  }
  Status s = params->db.empty() ? Status::OK() : ValidateDatabaseName(params->db);
  if (s.ok() && !params->collection.empty()) s = ValidateCollectionName(params->collection);
  if (!s.ok()) {
    *refusal = ApiResponse::Error(s);
    return nullptr;
  }
  if (found) return found;
  allow += ", OPTIONS";
  if (req.method == "OPTIONS") {
    *refusal = ApiResponse{};
    refusal->status = 204;
  } else {
    *refusal = ApiResponse::Error(
        Status::InvalidArgument("method " + req.method + " is not allowed on this resource"));
    refusal->status = 405;
  }
  refusal->headers.emplace_back("Allow", allow);
  return nullptr;
}

ApiResponse Api::Handle(const ApiRequest& req) {
  std::optional<Target> t = ParseTarget(req.target);
  if (!t) return ApiResponse::Error(Status::InvalidArgument("malformed percent-escape in URL"));
  PathParams params;
  ApiResponse refusal;
  const Route* route = FindRoute(req, *t, &params, &refusal);
  // Only a public route is answered without the key: nothing else, not even a 404.
  if (!route || !(route->flags & kPublic)) {
    if (Status s = Authenticate(req); !s.ok()) {
      ApiResponse r = ApiResponse::Error(s);
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }
  if (!route) return refusal;
  ApiCall call(std::move(params), req, *t);
  if (route->handler) return (this->*route->handler)(call);
  // An upload route with its body already read (tests, fuzzers, small clients): fed at once.
  Result<std::unique_ptr<Upload>> upload = (this->*route->upload)(call);
  if (!upload.ok()) return ApiResponse::Error(upload.status());
  if (Status s = (*upload)->Write(req.body); !s.ok()) return ApiResponse::Error(s);
  return (*upload)->Finish();
}

const Api::Route* Api::RouteOf(const ApiRequest& req) const {
  std::optional<Target> t = ParseTarget(req.target);
  PathParams params;
  ApiResponse refusal;
  return t ? FindRoute(req, *t, &params, &refusal) : nullptr;
}

bool Api::IsUpload(const ApiRequest& req) const {
  const Route* route = RouteOf(req);
  return route && route->upload;
}

bool Api::IsSlow(const ApiRequest& req) const {
  const Route* route = RouteOf(req);
  return route && (route->flags & kSlow);
}

Result<std::unique_ptr<Upload>> Api::BeginUpload(const ApiRequest& req) {
  SYNCLINE_RETURN_IF_ERROR(Authenticate(req));
  std::optional<Target> t = ParseTarget(req.target);
  if (!t) return Status::InvalidArgument("malformed percent-escape in URL");
  PathParams params;
  ApiResponse refusal;
  const Route* route = FindRoute(req, *t, &params, &refusal);
  if (!route || !route->upload) return Status::InvalidArgument("not an upload: " + req.target);
  return (this->*route->upload)(ApiCall(std::move(params), req, *t));
}

}  // namespace syncline
