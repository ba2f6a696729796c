// SyncEngine: keeps an OfflineStore in step with a Syncline server through a NetworkAdapter.
// A sync pushes the outbox and pulls each collection's changes in pages; each page is applied
// whole or not at all and moves the collection's cursor with it, so a sync cut, cancelled or
// killed resumes where it stopped. See docs/CLIENT.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syncline/env.h"
#include "syncline/network_adapter.h"
#include "syncline/offline_store.h"
#include "syncline/resolver.h"

namespace syncline {

// What a sync does with an operation the server refused, when the application has not said
// (see `client handle`): "none" leaves it failed in the outbox, visible, until handled.
struct ErrorHandlers {
  std::string create = "none";  // none, delete (drop it locally) or recreate (send it again)
  std::string update = "none";  // none, retry (send it again) or rollback (take the server's)
  std::string remove = "none";  // none or retry
};

struct SyncOptions {
  // The collections to sync, in this order (pushes first, then pulls, for two-way).
  std::vector<std::string> collections;
  std::string strategy = "two-way";  // two-way, pull-only or push-only
  Resolver resolver = Resolver::ServerWins();   // for every collection...
  std::map<std::string, Resolver> resolvers;    // ...but these
  // Documents for which this is true are pushed before the others.
  std::function<bool(const std::string& collection, const nlohmann::json& doc)> priority;
  std::map<std::string, nlohmann::json> filters;             // selective sync per collection
  std::map<std::string, std::vector<std::string>> fields;    // partial documents per collection
  int page_size = 1000;      // documents per pull page (at most 10,000)
  int batch_size = 5000;     // operations per push (at most 10,000)
  int max_retries = 3;       // of a step that failed on the network
  std::chrono::milliseconds retry_delay{500};  // the first retry's delay (doubles, jittered)
  ErrorHandlers handlers;
  Platform platform;
  // Called on a 401: sign in again through `adapter.Login(...)` and return true to go on.
  std::function<bool(NetworkAdapter& adapter)> login;
  Env* env = nullptr;        // clock and randomness; null: the real machine
};

struct CollectionResult {
  int64_t uploaded = 0;
  int64_t downloaded = 0;
  int64_t conflicts = 0;
  int64_t errors = 0;
};

struct SyncResult {
  int64_t uploaded = 0;    // operations the server applied
  int64_t downloaded = 0;  // changes applied locally
  int64_t conflicts = 0;   // resolved, by a push answer or a page
  std::vector<PendingOperation> errors;  // refused by the server and not handled
  std::map<std::string, CollectionResult> collections;
  int64_t duration_micros = 0;
  uint64_t bytes = 0;     // request and response bodies, as sent
  uint64_t requests = 0;  // as the adapter counts them
};

// Seed 002's notification: one per page (in_progress), at the end of each collection (ok or
// error), and once at the end of a sync ("complete", collection "*").
struct SyncNotification {
  std::string collection;
  std::string sync_type = "incremental";
  std::string status;  // in_progress, ok, error, complete
  int64_t total_count = 0;
  int64_t processed_count = 0;
  int64_t cumulative_count = 0;
  // status "error":
  int error_code = 0;  // the HTTP status the error maps to (0 if none)
  std::string error_message;
  std::vector<PendingOperation> server_errors;  // per-object: create-, update-, delete-error
};

// A watched document a sync created, updated or deleted locally.
struct ObjectNotification {
  std::string collection;
  std::string key;
  std::string kind;  // created, updated, deleted
};

struct SyncStatistics {
  int64_t syncs = 0;
  int64_t failed_syncs = 0;
  int64_t average_duration_micros = 0;
  uint64_t bytes_transferred = 0;
  int64_t documents_up = 0;
  int64_t documents_down = 0;
};

enum class LogLevel { kError, kInfo, kDebug };

class SyncEngine {
 public:
  // `store` must outlive the engine. InvalidArgument for options that cannot work (an unknown
  // strategy, a handler that does not fit its error, a page size out of range).
  static Result<std::unique_ptr<SyncEngine>> Create(OfflineStore& store,
                                                    std::unique_ptr<NetworkAdapter> adapter,
                                                    SyncOptions options);
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  // Syncs every configured collection (or the ones named). One sync at a time: a second call
  // waits for the first. Errors: Cancelled after Cancel(); Unavailable when the server stays
  // unreachable; Unauthenticated, PermissionDenied, InvalidArgument... as the server said.
  Result<SyncResult> Sync();
  Result<SyncResult> Sync(const std::vector<std::string>& collections);
  // Sends the outbox without pulling (seed 002's push_changes).
  Result<SyncResult> PushChanges();
  // Stops a running sync at its next safe point; it returns Cancelled. Nothing applied is
  // lost and nothing is half-applied.
  void Cancel();

  bool IsPending(const std::string& collection, const std::string& key);

  // Notifications for one collection, or "*" for all (both are called). Replaces any earlier
  // callback for that name; a null function removes it. Called on the syncing thread.
  void SetNotification(const std::string& collection,
                       std::function<void(const SyncNotification&)> callback);
  // Object notifications for the watched documents.
  void WatchObjects(const std::string& collection, const std::vector<std::string>& keys);
  void SetObjectNotification(std::function<void(const ObjectNotification&)> callback);

  // Background sync: every `period`, and when the network status turns online. Stop() (or the
  // destructor) ends it.
  void StartBackground(std::chrono::milliseconds period);
  void Stop();
  // The network status as the application knows it (a reachability callback, a test).
  void SetNetworkStatus(bool online);
  bool NetworkStatus() const;
  void OnNetworkStatus(std::function<void(bool online)> callback);

  SyncStatistics Statistics() const;
  void SetLogLevel(LogLevel level);
  // The sync log, oldest first, as a JSON array of events.
  Result<nlohmann::json> ExportLog(size_t limit = 0);

 private:
  struct Impl;
  explicit SyncEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline
