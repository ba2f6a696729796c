// The API's one route table, and the dispatch that uses it: every resource, its methods, and
// what handles each. Allow headers, HEAD, uploads and slow requests all come from here.
#include "net/api.h"
#include "util/name.h"

namespace syncline {

// Order matters only where a literal and a placeholder could both match: literals first.
const std::vector<Api::Route>& Api::Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/v1/health", &Api::Health, nullptr, Access::kPublic, 0},
      // The studio's files are public; everything they show comes from the API, signed in.
      {"GET", "/", &Api::StudioRedirect, nullptr, Access::kPublic, 0},
      {"GET", "/studio", &Api::StudioRedirect, nullptr, Access::kPublic, 0},
      {"GET", "/studio/{asset*}", &Api::StudioAsset, nullptr, Access::kPublic, 0},
      // Prometheus scrapes; it may measure chunk stats (every manifest): off the io thread.
      {"GET", "/metrics", &Api::Metrics, nullptr, Access::kMetrics, kSlow},
      // Users and logins. Checking a password takes a fraction of a second: off the io thread.
      {"POST", "/v1/auth/login", &Api::Login, nullptr, Access::kPublic, kSlow},
      {"POST", "/v1/auth/logout", &Api::Logout, nullptr, Access::kSignedIn, 0},
      {"GET", "/v1/auth/me", &Api::WhoAmI, nullptr, Access::kSignedIn, 0},
      // What the node is doing, for the studio; each caller sees its databases' events only.
      {"GET", "/v1/events", &Api::Events, nullptr, Access::kSignedIn, 0},
      {"GET", "/v1/users", &Api::ListUsers, nullptr, Access::kNodeAdmin, 0},
      {"POST", "/v1/users", &Api::AddUser, nullptr, Access::kNodeAdmin, kSlow},
      {"PATCH", "/v1/users/{op}", &Api::UpdateUser, nullptr, Access::kNodeAdmin, kSlow},
      {"DELETE", "/v1/users/{op}", &Api::RemoveUser, nullptr, Access::kNodeAdmin, 0},
      {"GET", "/v1/db", &Api::ListDatabases, nullptr, Access::kSignedIn, 0},
      {"PUT", "/v1/db/{db}", &Api::CreateDatabase, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}", &Api::GetDatabase, nullptr, Access::kRead, 0},
      {"DELETE", "/v1/db/{db}", &Api::DropDatabase, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/changes", &Api::Changes, nullptr, Access::kRead, 0},
      {"GET", "/v1/db/{db}/stats", &Api::Stats, nullptr, Access::kRead, kSlow},  // reads every manifest
      {"POST", "/v1/db/{db}/gc", &Api::CollectGarbage, nullptr, Access::kAdmin, kSlow},
      // Documents.
      {"GET", "/v1/db/{db}/collections", &Api::ListCollections, nullptr, Access::kRead, 0},
      {"GET", "/v1/db/{db}/docs/{collection}", &Api::ListDocuments, nullptr, Access::kRead, 0},
      {"GET", "/v1/db/{db}/docs/{collection}/{key+}", &Api::GetDocument, nullptr, Access::kRead, 0},
      {"PUT", "/v1/db/{db}/docs/{collection}/{key+}", &Api::PutDocument, nullptr, Access::kWrite, 0},
      {"DELETE", "/v1/db/{db}/docs/{collection}/{key+}", &Api::DeleteDocument, nullptr, Access::kWrite, 0},
      {"POST", "/v1/db/{db}/find/{collection}", &Api::FindDocuments, nullptr, Access::kRead, 0},
      {"POST", "/v1/db/{db}/bulk", &Api::BulkDocuments, nullptr, Access::kWrite, 0},
      // Offline-first clients (replicate/client_*.h).
      {"POST", "/v1/db/{db}/clients", &Api::RegisterClient, nullptr, Access::kRead, 0},
      {"GET", "/v1/db/{db}/clients", &Api::ListClients, nullptr, Access::kAdmin, 0},
      {"DELETE", "/v1/db/{db}/clients/{op}", &Api::RemoveClient, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/clients/{op}/pull", &Api::ClientPull, nullptr, Access::kRead, 0},
      {"POST", "/v1/db/{db}/clients/{op}/push", &Api::ClientPush, nullptr, Access::kWrite, 0},
      // Field indexes (store/sqlite/sqlite_indexes.h): what `doc find` can look up without a scan.
      {"GET", "/v1/db/{db}/indexes", &Api::ListIndexes, nullptr, Access::kRead, 0},
      {"PUT", "/v1/db/{db}/indexes/{collection}/{op}", &Api::CreateIndex, nullptr, Access::kAdmin, kSlow},
      {"DELETE", "/v1/db/{db}/indexes/{collection}/{op}", &Api::DropIndex, nullptr, Access::kAdmin, 0},
      // Collection rules: what writes a collection takes (sync/collection_rules.h).
      {"GET", "/v1/db/{db}/rules/{collection}", &Api::GetCollectionRules, nullptr, Access::kRead, 0},
      {"PUT", "/v1/db/{db}/rules/{collection}", &Api::SetCollectionRules, nullptr, Access::kAdmin, 0},
      {"DELETE", "/v1/db/{db}/rules/{collection}", &Api::RemoveCollectionRules, nullptr, Access::kAdmin, 0},
      // Files.
      {"GET", "/v1/db/{db}/files", &Api::ListFiles, nullptr, Access::kRead, 0},
      {"GET", "/v1/db/{db}/files/{name+}", &Api::GetFile, nullptr, Access::kRead, 0},
      {"PUT", "/v1/db/{db}/files/{name+}", nullptr, &Api::BeginFileUpload, Access::kWrite, 0},
      {"DELETE", "/v1/db/{db}/files/{name+}", &Api::DeleteFile, nullptr, Access::kWrite, 0},
      {"GET", "/v1/db/{db}/meta/{name+}", &Api::GetFileMetadata, nullptr, Access::kRead, 0},
      {"PATCH", "/v1/db/{db}/meta/{name+}", &Api::UpdateFileMetadata, nullptr, Access::kWrite, 0},
      {"POST", "/v1/db/{db}/rename", &Api::RenameFile, nullptr, Access::kWrite, 0},
      // Sync, as its users see it.
      {"GET", "/v1/db/{db}/destinations", &Api::ListDestinations, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/destinations", &Api::AddDestination, nullptr, Access::kAdmin, 0},
      {"PATCH", "/v1/db/{db}/destinations", &Api::UpdateDestination, nullptr, Access::kAdmin, 0},
      {"DELETE", "/v1/db/{db}/destinations", &Api::RemoveDestination, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/sync/run", &Api::SyncRun, nullptr, Access::kAdmin, kSlow},
      {"POST", "/v1/db/{db}/sync/start", &Api::SyncStart, nullptr, Access::kAdmin, kSlow},
      {"GET", "/v1/db/{db}/sync/active", &Api::SyncActive, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/sync/pending", &Api::SyncPending, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/sync/finished", &Api::SyncFinished, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/sync/status", &Api::SyncStatus, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/conflicts", &Api::ListConflicts, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/conflicts/item", &Api::GetConflict, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/conflicts/resolve", &Api::ResolveConflict, nullptr, Access::kAdmin, 0},
      // The protocol a source's Pusher speaks (protocol.h); chunk batches are binary and
      // megabytes each, so they take the streamed body path.
      {"POST", "/v1/db/{db}/sync/proto/chunks", nullptr, &Api::BeginSyncUpload, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/sync/proto/chunk-recipes", nullptr, &Api::BeginSyncUpload, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/sync/proto/{op}", &Api::SyncProtocol, nullptr, Access::kAdmin, 0},
      // Collection sync: the master's snapshots (collection_protocol.h) ...
      {"POST", "/v1/db/{db}/snapshots", &Api::OpenSnapshot, nullptr, Access::kRead, 0},
      {"POST", "/v1/db/{db}/snapshots/{op}", &Api::SnapshotOp, nullptr, Access::kRead, kSlow},
      {"DELETE", "/v1/db/{db}/snapshots/{op}", &Api::CloseSnapshot, nullptr, Access::kRead, 0},
      // ... and the replica's jobs.
      {"POST", "/v1/db/{db}/collection-sync", &Api::StartCollectionSync, nullptr, Access::kAdmin, kSlow},
      {"GET", "/v1/db/{db}/jobs", &Api::ListJobs, nullptr, Access::kAdmin, 0},
      {"GET", "/v1/db/{db}/jobs/{op}", &Api::GetJob, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/jobs/{op}", &Api::JobAction, nullptr, Access::kAdmin, 0},
      {"POST", "/v1/db/{db}/verify", &Api::VerifyTrees, nullptr, Access::kAdmin, kSlow},
      {"GET", "/v1/db/{db}/followers", &Api::ListFollowers, nullptr, Access::kAdmin, 0},
      {"DELETE", "/v1/db/{db}/followers/{collection}", &Api::StopFollowing, nullptr, Access::kAdmin, 0},
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
  Result<Principal> principal = Admit(req, route, params);
  if (!principal.ok()) {
    ApiResponse r = ApiResponse::Error(principal.status());
    if (principal.status().code() == Status::Code::kUnauthenticated) {
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
    }
    return r;
  }
  if (!route) return refusal;
  ApiCall call(std::move(params), req, *t, *principal);
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

std::string_view Api::RouteLabel(const ApiRequest& req) const {
  const Route* route = RouteOf(req);
  return route ? route->path : std::string_view("unmatched");
}

bool Api::IsUpload(const ApiRequest& req) const {
  const Route* route = RouteOf(req);
  return route && route->upload;
}

bool Api::IsSlow(const ApiRequest& req) const {
  const Route* route = RouteOf(req);
  return route && (route->flags & kSlow);
}

Result<Principal> Api::Admit(const ApiRequest& req, const Route* route,
                             const PathParams& params) {
  // Only a public route is answered without credentials: nothing else, not even a 404.
  if (route && route->access == Access::kPublic) return Principal{};
  SYNCLINE_ASSIGN_OR_RETURN(Principal p, auth_.Authenticate(req.Header("authorization")));
  if (route) SYNCLINE_RETURN_IF_ERROR(CheckAccess(p, route->access, params.db));
  return p;
}

Result<std::unique_ptr<Upload>> Api::BeginUpload(const ApiRequest& req) {
  std::optional<Target> t = ParseTarget(req.target);
  if (!t) return Status::InvalidArgument("malformed percent-escape in URL");
  PathParams params;
  ApiResponse refusal;
  const Route* route = FindRoute(req, *t, &params, &refusal);
  SYNCLINE_ASSIGN_OR_RETURN(Principal principal, Admit(req, route, params));
  if (!route || !route->upload) return Status::InvalidArgument("not an upload: " + req.target);
  return (this->*route->upload)(ApiCall(std::move(params), req, *t, principal));
}

}  // namespace syncline
