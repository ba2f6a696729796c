// NetworkAdapter: how a SyncEngine talks to a server. The Syncline HTTP adapter
// (http_adapter.h) is the default; an application may write its own (docs/CLIENT.md says what
// each method must do). The structures are the client protocol of docs/API.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syncline/result.h"

namespace syncline {

// What a client tells the server about itself when it registers.
struct Platform {
  std::string name;
  std::string version;
  std::string device;
};

struct Registration {
  std::string client_id;
  int protocol = 0;
  int64_t server_time = 0;
};

// One pull: the changes of a collection after `cursor` ("" from the start).
struct PullRequest {
  std::string client_id;
  std::string collection;
  std::string cursor;
  int limit = 1000;
  nlohmann::json filter;            // null: every document
  std::vector<std::string> fields;  // empty: whole documents
  bool with_total = false;
  // How many local changes to the collection the client has not pushed yet, told to the server
  // (its studio shows them); -1: not told.
  int64_t pending_operations = -1;
};

struct ServerChange {
  enum class Op { kPut, kDelete, kGone };
  std::string key;
  int64_t etag = 0;
  Op op = Op::kPut;
  nlohmann::json document;  // kPut only
};

struct PullPage {
  std::vector<ServerChange> changes;
  int64_t processed_count = 0;
  int64_t total_count = -1;  // -1 when not asked for
  std::string cursor;        // store only together with the page applied
  bool more = false;
  int64_t schema_version = 0;
  int64_t server_time = 0;
};

// One operation of a push (see docs/API.md, "Push").
struct PushOperation {
  std::string op_id;
  std::string op;  // "create", "update", "delete"
  std::string collection;
  std::string key;
  int64_t base_etag = 0;
  std::optional<nlohmann::json> document;
};

struct PushResult {
  enum class Kind { kApplied, kConflict, kError };
  std::string op_id;
  Kind kind = Kind::kApplied;
  int64_t etag = 0;  // kApplied: the new etag
  // kConflict (and update errors): the server's document, or deleted.
  int64_t server_etag = 0;
  bool server_deleted = false;
  std::optional<nlohmann::json> server_document;
  // kError: "create-error", "update-error" or "delete-error", a Status code name, a message.
  std::string error;
  std::string code;
  std::string message;
};

// Every method may be called from the engine's sync thread only, one call at a time. A failure
// is a Status the engine branches on: Unavailable (network: retried with backoff),
// Unauthenticated (the login callback runs, then the call is retried), UnknownClient (the
// client resets and registers again), Cancelled (after `cancel` turned true), anything else
// ends the sync with that error.
class NetworkAdapter {
 public:
  virtual ~NetworkAdapter() = default;

  virtual Result<Registration> Register(const Platform& platform) = 0;
  virtual Result<PullPage> FetchChanges(const PullRequest& request) = 0;
  // The results in the order of `ops`, one each.
  virtual Result<std::vector<PushResult>> SendBatch(const std::string& client_id,
                                                    const std::vector<PushOperation>& ops) = 0;
  // A cheap guess, no request: false when the adapter knows it cannot reach the server.
  virtual bool IsOnline() = 0;
  // The server's clock as last seen (microseconds since the Unix epoch), 0 if never.
  virtual int64_t ServerTime() = 0;

  // Signs in and keeps the token for later requests. Unauthenticated for a wrong password.
  virtual Status Login(const std::string& user, const std::string& password) = 0;
  // Requests in progress stop soon after `*flag` turns true, with Cancelled. Not owned.
  virtual void SetCancelFlag(const std::atomic<bool>* flag) = 0;
  // Bytes sent and received so far (request and response bodies, as sent: compressed).
  virtual uint64_t BytesTransferred() const = 0;
  // Requests made so far (0 from an adapter that does not count them).
  virtual uint64_t RequestsSent() const { return 0; }
};

}  // namespace syncline
