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
#include "net/change_waiters.h"
#include "net/http_limits.h"
#include "net/url.h"
#include "replicate/receiver.h"
#include "replicate/replicator.h"
#include "store/store.h"
#include "sync/local_writer.h"
#include "syncline/env.h"

namespace syncline {

inline constexpr size_t kMaxDocumentBytes = 16u << 20;
inline constexpr size_t kMaxRequestBodyBytes = 64u << 20;  // bulk writes, finds, metadata

struct ApiRequest {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // path and query, still encoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

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
    std::string db;
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

// Thread-safe: handlers only share the store (itself thread-safe).
class Api {
 public:
  Api(Store* store, Env* env, std::string admin_key, std::string node_name);

  // Enables the sync endpoints (api_sync.cc); without them they answer 503.
  void EnableSync(Replicator* replicator, Receiver* receiver) {
    replicator_ = replicator;
    receiver_ = receiver;
  }

  // Bodies of sync uploads are held in memory: they take their size from `budget` (shared with
  // the sessions) and are refused with Unavailable when it is spent. Not owned.
  void set_body_budget(MemoryBudget* budget) { body_budget_ = budget; }
  // Long-polls parked now show in /v1/health as "long_polls". Not owned.
  void set_waiters(ChangeWaiters* waiters) { waiters_ = waiters; }

  // True if the request streams its body into an upload (PUT of a file).
  bool IsUpload(const ApiRequest& request) const;
  // Checks auth and the request before any body is read; the upload to feed.
  Result<std::unique_ptr<Upload>> BeginUpload(const ApiRequest& request);

  // True if handling may take long (a sync run or push): the session runs it off its thread.
  bool IsSlow(const ApiRequest& request) const;

  // Every other request, with its whole body read.
  ApiResponse Handle(const ApiRequest& request);

 private:
  ApiResponse Route(const ApiRequest& req, const Target& t);
  Status Authenticate(const ApiRequest& req) const;

  // Handlers, by resource; documents in api_documents.cc, files in api_files.cc.
  ApiResponse Health();
  ApiResponse ListDatabases();
  ApiResponse Database(const ApiRequest& req, const std::string& db);
  ApiResponse Changes(const ApiRequest& req, const Target& t, const std::string& db);
  // GET /stats, or POST /gc (collect any garbage first).
  ApiResponse Storage(const std::string& db, bool collect);
  ApiResponse Document(const ApiRequest& req, const Target& t, const std::string& db);
  ApiResponse ListDocuments(const Target& t, const std::string& db,
                            const std::string& collection);
  ApiResponse FindDocuments(const ApiRequest& req, const std::string& db,
                            const std::string& collection);
  ApiResponse BulkDocuments(const ApiRequest& req, const std::string& db);
  ApiResponse File(const ApiRequest& req, const Target& t, const std::string& db);
  ApiResponse ListFiles(const Target& t, const std::string& db);
  ApiResponse FileMetadata(const ApiRequest& req, const Target& t, const std::string& db);
  ApiResponse RenameFile(const ApiRequest& req, const Target& t, const std::string& db);
  // Sync: destinations, runs, monitoring, conflicts, and the protocol a source speaks to us.
  ApiResponse Destinations(const ApiRequest& req, const Target& t, const std::string& db);
  ApiResponse Sync(const ApiRequest& req, const Target& t, const std::string& db);
  ApiResponse SyncProtocol(const ApiRequest& req, const std::string& db, const std::string& op);
  Result<std::unique_ptr<Upload>> BeginSyncUpload(const ApiRequest& req, const std::string& db,
                                                  const std::string& op);
  ApiResponse Conflicts(const ApiRequest& req, const Target& t, const std::string& db);

  Store* store_;
  Env* env_;
  LocalWriter writer_;
  std::string admin_key_hash_;  // generic hash of the admin key; compared in constant time
  std::string node_name_;
  Replicator* replicator_ = nullptr;
  Receiver* receiver_ = nullptr;
  MemoryBudget* body_budget_ = nullptr;
  ChangeWaiters* waiters_ = nullptr;
};

// Helpers shared by the handler files.
namespace api_internal {
// Parses an If-Match header value ("12" or "\"12\""); InvalidArgument if malformed.
Result<std::optional<int64_t>> IfMatch(const ApiRequest& req);
// Reads an integer query parameter within [min, max], or `fallback` when absent.
Result<int64_t> IntParam(const Target& t, const std::string& name, int64_t fallback,
                         int64_t min, int64_t max);
std::string EtagHeader(int64_t etag);
// True if the request says its write resolves the item's conflict (?resolve=1 or =true).
bool ResolvesConflict(const Target& t);
// Whether the item holds an unresolved conflict (shown by GETs of documents and files).
Result<bool> HasConflict(Store* store, const std::string& db, const ItemRef& ref);
// 405 with an error body.
ApiResponse MethodNotAllowed(const std::string& method);
}  // namespace api_internal

}  // namespace syncline
