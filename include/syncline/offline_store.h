// OfflineStore: the client's local database of JSON documents, usable with no server at all.
// Every write also records what must be sent to the server (the outbox, coalesced per
// document); a SyncEngine sends it and brings the server's changes back. See docs/CLIENT.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "syncline/result.h"

namespace syncline {

class ClientDb;

// One unsent (or refused) change of one document, as the outbox holds it.
struct PendingOperation {
  std::string op_id;       // made by the client; the server applies each id once
  std::string collection;
  std::string key;
  std::string op;          // "create", "update" or "delete"
  int64_t base_etag = 0;   // the server etag the change was made on; -1 while an earlier
                           // change of the same document is still on its way
  std::optional<nlohmann::json> document;  // create and update
  std::string state;       // "pending", "sent" (awaiting the server's answer) or "failed"
  // For "failed": what the server said. `error` is "create-error", "update-error" or
  // "delete-error"; `code` a Status code name; `attributes` the server's document (update
  // errors, for a rollback).
  std::string error;
  std::string code;
  std::string message;
  std::optional<nlohmann::json> attributes;
  int64_t server_etag = 0;
  int64_t created_at = 0;  // microseconds since the Unix epoch
  int64_t seq = 0;         // its place in the outbox: older changes have smaller numbers
};

// Thread-safe: any number of threads of one process may use one OfflineStore. One process
// opens a store at a time (a second Open of the same path is Unavailable).
class OfflineStore {
 public:
  // Opens (creating if missing) the store in the file `path`.
  static Result<std::unique_ptr<OfflineStore>> Open(const std::string& path);
  ~OfflineStore();
  OfflineStore(const OfflineStore&) = delete;
  OfflineStore& operator=(const OfflineStore&) = delete;

  // Creates or replaces a document (a JSON object). Durable when it returns.
  Status Put(const std::string& collection, const std::string& key, const nlohmann::json& doc);
  // NotFound if the collection has no such document.
  Result<nlohmann::json> Get(const std::string& collection, const std::string& key) const;
  // NotFound if there is nothing to remove.
  Status Remove(const std::string& collection, const std::string& key);
  // Documents matching `filter` (the filter language of docs/API.md; null matches all), in key
  // order after `after_key`, at most `limit` (0: no limit).
  Result<std::vector<std::pair<std::string, nlohmann::json>>> Find(
      const std::string& collection, const nlohmann::json& filter = nullptr, size_t limit = 0,
      const std::string& after_key = "") const;
  Result<int64_t> Count(const std::string& collection) const;
  // Collections holding at least one document or pending operation.
  Result<std::vector<std::string>> Collections() const;

  // True if the document has changes the server has not accepted yet.
  Result<bool> IsPending(const std::string& collection, const std::string& key) const;
  // The outbox in the order it is sent; `collection` "" for all.
  Result<std::vector<PendingOperation>> Pending(const std::string& collection = "") const;

  // The internals a SyncEngine works on.
  ClientDb& db() { return *db_; }

 private:
  explicit OfflineStore(std::unique_ptr<ClientDb> db);
  std::unique_ptr<ClientDb> db_;
};

}  // namespace syncline
