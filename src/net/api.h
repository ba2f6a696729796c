// Api: the HTTP/JSON API as plain request-to-response functions, with no sockets (sans-I/O, as
// Beast's handle_request). http_session.cc moves bytes; everything the API means is here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chunk/file_writer.h"
#include "net/access.h"
#include "net/auth.h"
#include "net/change_waiters.h"
#include "net/http_limits.h"
#include "net/metrics_text.h"
#include "net/router.h"
#include "net/server_metrics.h"
#include "net/url.h"
#include "replicate/collection_followers.h"
#include "replicate/collection_jobs.h"
#include "replicate/event_log.h"
#include "replicate/receiver.h"
#include "replicate/replicator.h"
#include "replicate/snapshot_registry.h"
#include "store/store.h"
#include "sync/local_writer.h"
#include "syncline/env.h"

namespace syncline {

inline constexpr size_t kMaxDocumentBytes = 16u << 20;
// The key long-polls of the event log wait on in ChangeWaiters (no database has this name).
inline constexpr char kEventFeed[] = "";
inline constexpr size_t kMaxRequestBodyBytes = 64u << 20;  // bulk writes, finds, metadata

struct ApiRequest {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // path and query, still encoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string peer;  // the client's address, for login limits ("" if unknown)

  const std::string* Header(const std::string& lower_name) const;
};

// Produces a response body piece by piece (a file download). Empty piece = end.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Result<std::string_view> Next() = 0;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                    // used when `stream` is null
  std::unique_ptr<BodySource> stream;  // streamed body of `stream_length` bytes
  uint64_t stream_length = 0;
  // Set on a change feed request that found nothing new and may wait: the session waits until
  // the database passes `since` or `wait_seconds` pass, then handles the request again with
  // the wait removed.
  struct LongPoll {
    std::string db;  // the database, or kEventFeed for GET /v1/events
    int64_t since = 0;
    double wait_seconds = 0;
  };
  std::optional<LongPoll> long_poll;

  static ApiResponse Json(int status, std::string body);
  static ApiResponse Error(const Status& status);
};

// A file upload in progress: content arrives through Write, Finish commits it.
class Upload {
 public:
  virtual ~Upload() = default;
  virtual Status Write(std::string_view data) = 0;
  // Commits the new version; the response to send.
  virtual ApiResponse Finish() = 0;
};

// A request as its handler sees it: the route's placeholders matched and checked.
struct ApiCall : PathParams {
  const ApiRequest& req;
  const Target& target;
  const Principal& principal;  // who is calling (nobody in particular on a public route)

  ApiCall(PathParams params, const ApiRequest& r, const Target& t, const Principal& p)
      : PathParams(std::move(params)), req(r), target(t), principal(p) {}
  // A query parameter, or "" when absent.
  std::string Query(const std::string& name) const;
};

// Thread-safe: handlers only share the store (itself thread-safe).
class Api {
 public:
  Api(Store* store, Env* env, std::string admin_key, std::string node_name,
      int64_t token_ttl_seconds = kDefaultTokenTtlSeconds);

  // Enables the sync endpoints (api_sync.cc); without them they answer 503.
  void EnableSync(Replicator* replicator, Receiver* receiver) {
    replicator_ = replicator;
    receiver_ = receiver;
  }

  // Enables collection sync (api_collections.cc): the master's snapshots and the replica's
  // jobs; without them those endpoints answer 503.
  void EnableCollectionSync(SnapshotRegistry* snapshots, CollectionJobs* jobs,
                            CollectionFollowers* followers) {
    snapshots_ = snapshots;
    jobs_ = jobs;
    followers_ = followers;
  }

  // Bodies of sync uploads are held in memory: they take their size from `budget` (shared with
  // the sessions) and are refused with Unavailable when it is spent. Not owned.
  void set_body_budget(MemoryBudget* budget) { body_budget_ = budget; }
  // Long-polls parked now show in /v1/health as "long_polls". Not owned.
  void set_waiters(ChangeWaiters* waiters) { waiters_ = waiters; }
  // What GET /metrics shows besides the gauges it reads itself, and the token that may read
  // it besides node admins ("": none). Not owned.
  void set_metrics(ServerMetrics* metrics, std::string_view scrape_token) {
    metrics_ = metrics;
    auth_.set_scrape_token(scrape_token);
  }
  // The event log GET /v1/events serves (api_events.cc); handlers announce to it. Not owned.
  void set_events(EventLog* events) { events_ = events; }
  // The route pattern a request matched ("unmatched" if none), for metrics labels.
  std::string_view RouteLabel(const ApiRequest& request) const;

  // True if the request streams its body into an upload (PUT of a file, a chunk batch).
  bool IsUpload(const ApiRequest& request) const;
  // Checks auth and the request before any body is read; the upload to feed.
  Result<std::unique_ptr<Upload>> BeginUpload(const ApiRequest& request);

  // True if handling may take long (a sync run, a collection): the session runs it off its
  // thread.
  bool IsSlow(const ApiRequest& request) const;

  // Every request with its whole body read (an upload's too: it is fed at once).
  ApiResponse Handle(const ApiRequest& request);

 private:
  using Handler = ApiResponse (Api::*)(const ApiCall&);
  using UploadHandler = Result<std::unique_ptr<Upload>> (Api::*)(const ApiCall&);
  enum RouteFlags : uint8_t { kSlow = 1 };
  // One row of the route table (api_routes.cc). A GET route answers HEAD too.
  struct Route {
    std::string_view method;
    std::string_view path;  // router.h pattern
    Handler handler;        // null for an upload route
    UploadHandler upload;   // set for routes whose body streams into an Upload
    Access access;          // what the caller needs (access.h), on the route's {db} if any
    uint8_t flags;
  };
  static const std::vector<Route>& Routes();
  // The route for the request and its checked placeholders; or null, with the answer that
  // refuses it in *refusal: 404, 405 with Allow, 400 for a bad database or collection name,
  // and 204 with Allow for OPTIONS.
  const Route* FindRoute(const ApiRequest& req, const Target& t, PathParams* params,
                         ApiResponse* refusal) const;
  // The request's route, or null.
  const Route* RouteOf(const ApiRequest& req) const;
  // The caller of a request to `route` (null: no route matched), checked against what the
  // route needs: Unauthenticated or PermissionDenied if it may not go on.
  Result<Principal> Admit(const ApiRequest& req, const Route* route, const PathParams& params);

  // Handlers, by resource: databases and changes in api.cc, documents in api_documents.cc,
  // files in api_files.cc, sync in api_sync.cc.
  ApiResponse Health(const ApiCall& c);
  ApiResponse Events(const ApiCall& c);
  // The studio's files (api_studio.cc).
  ApiResponse StudioRedirect(const ApiCall& c);
  ApiResponse StudioAsset(const ApiCall& c);
  // Appends an event if there is an event log.
  void Announce(const char* type, const std::string& db, Json data);
  // GET /metrics (api_metrics.cc), family by family.
  ApiResponse Metrics(const ApiCall& c);
  void WriteDestinationMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now, MetricsText* out);
  void WriteRunCounters(MetricsText* out);
  void WriteStateMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now, MetricsText* out);
  void WriteStoreMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now, MetricsText* out);
  // Users and logins (api_users.cc).
  ApiResponse Login(const ApiCall& c);
  ApiResponse Logout(const ApiCall& c);
  ApiResponse WhoAmI(const ApiCall& c);
  ApiResponse ListUsers(const ApiCall& c);
  ApiResponse AddUser(const ApiCall& c);
  ApiResponse UpdateUser(const ApiCall& c);
  ApiResponse RemoveUser(const ApiCall& c);
  ApiResponse Options(const ApiCall& c);
  ApiResponse ListDatabases(const ApiCall& c);
  ApiResponse CreateDatabase(const ApiCall& c);
  ApiResponse GetDatabase(const ApiCall& c);
  ApiResponse DropDatabase(const ApiCall& c);
  ApiResponse Changes(const ApiCall& c);
  ApiResponse Stats(const ApiCall& c);
  ApiResponse CollectGarbage(const ApiCall& c);
  ApiResponse GetDocument(const ApiCall& c);
  ApiResponse PutDocument(const ApiCall& c);
  ApiResponse DeleteDocument(const ApiCall& c);
  ApiResponse ListCollections(const ApiCall& c);
  ApiResponse ListDocuments(const ApiCall& c);
  ApiResponse FindDocuments(const ApiCall& c);
  ApiResponse BulkDocuments(const ApiCall& c);
  // Offline-first clients (api_clients.cc).
  ApiResponse RegisterClient(const ApiCall& c);
  ApiResponse ListClients(const ApiCall& c);
  ApiResponse RemoveClient(const ApiCall& c);
  // Pull and push, with a log line for each refusal (naming the client and the error code).
  ApiResponse ClientPull(const ApiCall& c);
  ApiResponse ClientPush(const ApiCall& c);
  ApiResponse ServeClientPull(const ApiCall& c);
  ApiResponse ServeClientPush(const ApiCall& c);
  // The client named by the path's {op}: UnknownClient, or PermissionDenied for another user's.
  Result<ClientRecord> CallingClient(const ApiCall& c);
  // Collection rules (api_rules.cc).
  ApiResponse ListIndexes(const ApiCall& c);
  ApiResponse CreateIndex(const ApiCall& c);
  ApiResponse DropIndex(const ApiCall& c);
  ApiResponse GetCollectionRules(const ApiCall& c);
  ApiResponse SetCollectionRules(const ApiCall& c);
  ApiResponse RemoveCollectionRules(const ApiCall& c);
  Result<std::unique_ptr<Upload>> BeginFileUpload(const ApiCall& c);
  ApiResponse GetFile(const ApiCall& c);
  ApiResponse DeleteFile(const ApiCall& c);
  ApiResponse ListFiles(const ApiCall& c);
  ApiResponse GetFileMetadata(const ApiCall& c);
  ApiResponse UpdateFileMetadata(const ApiCall& c);
  ApiResponse RenameFile(const ApiCall& c);
  // Sync: destinations, runs, monitoring, conflicts, and the protocol a source speaks to us.
  ApiResponse ListDestinations(const ApiCall& c);
  ApiResponse AddDestination(const ApiCall& c);
  ApiResponse UpdateDestination(const ApiCall& c);
  ApiResponse RemoveDestination(const ApiCall& c);
  // How a destination is doing beyond its record: the studio's and /metrics' view.
  struct DestinationHealth {
    WorkerState worker;
    int64_t queued = 0;     // items waiting to be pushed
    int64_t in_flight = 0;  // items being pushed
    int64_t lag_items = 0;  // changes after what it has (counted up to kMaxLagCount)
    double lag_seconds = 0;  // age of the oldest of them
    double rate_bytes_per_second = 0;  // of the last run that moved bytes
  };
  static constexpr int64_t kMaxLagCount = 1000000;
  DestinationHealth HealthOf(const std::string& db, const Destination& d, int64_t now);
  // Stores `d`, tells the replicator, and answers it (key redacted) with `status`.
  ApiResponse SaveDestination(const std::string& db, const Destination& d, int status);
  ApiResponse SyncRun(const ApiCall& c);
  ApiResponse SyncStart(const ApiCall& c);
  ApiResponse SyncActive(const ApiCall& c);
  ApiResponse SyncPending(const ApiCall& c);
  // A page of the items being pushed now (`active`) or queued.
  ApiResponse SyncActivity(const ApiCall& c, bool active);
  ApiResponse SyncFinished(const ApiCall& c);
  ApiResponse SyncStatus(const ApiCall& c);
  ApiResponse SyncProtocol(const ApiCall& c);
  Result<std::unique_ptr<Upload>> BeginSyncUpload(const ApiCall& c);
  ApiResponse ListConflicts(const ApiCall& c);
  ApiResponse GetConflict(const ApiCall& c);
  ApiResponse ResolveConflict(const ApiCall& c);
  // The sync endpoints need the replicator: Unavailable without it, NotFound without `db`.
  Status CheckSyncDatabase(const std::string& db) const;
  // Collection sync: the master's snapshots, the replica's jobs, tree checks.
  ApiResponse OpenSnapshot(const ApiCall& c);
  ApiResponse SnapshotOp(const ApiCall& c);
  ApiResponse CloseSnapshot(const ApiCall& c);
  ApiResponse StartCollectionSync(const ApiCall& c);
  ApiResponse ListJobs(const ApiCall& c);
  ApiResponse GetJob(const ApiCall& c);
  ApiResponse JobAction(const ApiCall& c);
  ApiResponse VerifyTrees(const ApiCall& c);
  ApiResponse ListFollowers(const ApiCall& c);
  ApiResponse StopFollowing(const ApiCall& c);
  Status CheckCollectionSync(const std::string& db) const;

  Store* store_;
  Env* env_;
  LocalWriter writer_;
  Authenticator auth_;
  std::string node_name_;
  Replicator* replicator_ = nullptr;
  Receiver* receiver_ = nullptr;
  MemoryBudget* body_budget_ = nullptr;
  ChangeWaiters* waiters_ = nullptr;
  ServerMetrics* metrics_ = nullptr;
  EventLog* events_ = nullptr;
  int64_t started_at_ = 0;  // microseconds since the epoch
  SnapshotRegistry* snapshots_ = nullptr;
  CollectionJobs* jobs_ = nullptr;
  CollectionFollowers* followers_ = nullptr;
};

// Helpers shared by the handler files.
namespace api_internal {
// `j` as a JSON response (DumpJson: never throws on odd text).
ApiResponse JsonAnswer(const Json& j, int status = 200);
// The request's body as a JSON object, zstd-compressed or not (Content-Encoding); an empty
// body is {}.
Result<Json> ObjectBody(const ApiRequest& req);
// The request's body as text: the body itself, or its zstd decompression kept in *storage.
Result<std::string_view> BodyText(const ApiRequest& req, std::string* storage);
// Compresses a response over 4 KiB with zstd when the request's Accept-Encoding allows it.
void CompressIfAccepted(const ApiRequest& req, ApiResponse* r);
// The request's If-Match and If-None-Match (http_headers.h); InvalidArgument if malformed.
Result<Precondition> Preconditions(const ApiRequest& req);
// For a GET of an item at `etag`: the 304 (with its ETag) or 412 its preconditions call for,
// or nullopt to serve it.
std::optional<ApiResponse> ConditionalRead(const ApiRequest& req, int64_t etag);
// Reads an integer query parameter within [min, max], or `fallback` when absent.
Result<int64_t> IntParam(const Target& t, const std::string& name, int64_t fallback,
                         int64_t min, int64_t max);
std::string EtagHeader(int64_t etag);
// True if the request says its write resolves the item's conflict (?resolve=1 or =true).
bool ResolvesConflict(const Target& t);
// Whether the item holds an unresolved conflict (shown by GETs of documents and files).
Result<bool> HasConflict(Store* store, const std::string& db, const ItemRef& ref);
}  // namespace api_internal

}  // namespace syncline
