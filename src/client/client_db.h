// ClientDb: the offline store's SQLite file — documents, the outbox, per-collection cursors,
// settings and the sync log — and every transaction on it. The one place with client SQL.
// Thread-safe: one connection behind a mutex (SQLite serializes writers anyway).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "syncline/env.h"
#include "syncline/network_adapter.h"
#include "syncline/offline_store.h"
#include "syncline/resolver.h"
#include "util/json.h"

namespace syncline {

class FileLock;

// What a handler (automatic or the application's) does with a failed operation.
enum class FailureAction {
  kNone,      // leave it failed and visible
  kDelete,    // create-error: drop the change and the local document
  kRecreate,  // create-error: send the create again at the next sync
  kRetry,     // update- or delete-error: send it again at the next sync
  kRollback,  // update-error: take the server's attributes, drop the change
};
Result<FailureAction> ParseFailureAction(const std::string& text);

// The automatic handlers a sync applies to each kind of error (kNone: leave it to the app).
struct FailureHandlers {
  FailureAction create = FailureAction::kNone;
  FailureAction update = FailureAction::kNone;
  FailureAction remove = FailureAction::kNone;
};
// InvalidArgument when a handler does not fit its error (rollback for a create error...).
Status CheckHandlers(const FailureHandlers& handlers);

// A document a sync created, updated or deleted locally (for object notifications).
struct AppliedChange {
  std::string collection;
  std::string key;
  std::string kind;  // created, updated, deleted
};

struct PageOutcome {
  int64_t applied = 0;
  int64_t conflicts = 0;
  std::vector<AppliedChange> changes;
};

struct BatchOutcome {
  int64_t applied = 0;
  int64_t conflicts = 0;
  std::vector<PendingOperation> failed;  // as kept (after any automatic handler)
  std::vector<AppliedChange> changes;    // local documents a resolution or handler changed
};

struct CursorState {
  std::string cursor;
  int64_t schema_version = 0;
  int64_t synced_at = 0;
};

class ClientDb {
 public:
  static Result<std::unique_ptr<ClientDb>> Open(const std::string& path, Env* env);
  ~ClientDb();

  // The local API (OfflineStore).
  Status Put(const std::string& collection, const std::string& key, const Json& doc);
  Result<Json> Get(const std::string& collection, const std::string& key);
  Status Remove(const std::string& collection, const std::string& key);
  Result<std::vector<std::pair<std::string, Json>>> Find(const std::string& collection,
                                                         const Json& filter, size_t limit,
                                                         const std::string& after_key);
  Result<int64_t> Count(const std::string& collection);
  Result<std::vector<std::string>> Collections();
  Result<bool> IsPending(const std::string& collection, const std::string& key);
  Result<std::vector<PendingOperation>> Pending(const std::string& collection);
  // How many operations of `collection` wait in the outbox.
  Result<int64_t> CountPending(const std::string& collection);
  // Writes many documents in one transaction (an import).
  Status PutMany(const std::string& collection, const std::vector<std::pair<std::string, Json>>& docs);

  // Settings kept in the file (client id, server, database, token...): "" when unset.
  Result<std::string> GetSetting(const std::string& name);
  Status SetSetting(const std::string& name, const std::string& value);

  // Sync state.
  Result<CursorState> GetCursor(const std::string& collection);
  // Forgets the client id and every cursor, and drops the documents with no pending change
  // (the next pull brings them again); pending changes are kept and sent again.
  Status ResetSyncState();
  // Starts sync number N (kept in the file): changes put back for "the next sync" wait for it.
  Result<int64_t> BeginSync();

  // Up to `limit` changes of `collection` ready to send, oldest first, one per document,
  // `priority` ones first, none at or before `after_seq` (a batch still on its way); marks
  // them sent (durably) before returning them.
  Result<std::vector<PendingOperation>> TakeBatch(
      const std::string& collection, size_t limit, int64_t sync_number,
      const std::function<bool(const PendingOperation&)>& priority, int64_t after_seq = 0);
  // Applies the server's answer to a batch TakeBatch returned, in one transaction.
  Result<BatchOutcome> ApplyPushResults(const std::vector<PendingOperation>& batch,
                                       const std::vector<PushResult>& results,
                                       const Resolver& resolver, const FailureHandlers& handlers,
                                       int64_t sync_number);
  // Applies one pull page and moves the collection's cursor with it, in one transaction.
  Result<PageOutcome> ApplyPage(const std::string& collection, const PullPage& page,
                                const Resolver& resolver, int64_t sync_number);
  // The application's decision on a failed operation; InvalidArgument if `action` does not fit
  // its error, NotFound if no failed operation has that id.
  Status Handle(const std::string& op_id, FailureAction action, int64_t next_sync_number);

  // The sync log: one JSON object per event, oldest first; kept to the last 10,000.
  Status AppendLog(const Json& event);
  Result<std::vector<Json>> Logs(size_t limit);

 private:
  // RAII write transaction: BEGIN IMMEDIATE, rolled back unless Commit() succeeded.
  class Txn {
   public:
    explicit Txn(SqliteConnection* conn) : conn_(conn) {}
    Status Begin() {
      Status s = conn_->Exec("BEGIN IMMEDIATE");
      open_ = s.ok();
      return s;
    }
    Status Commit() {
      Status s = conn_->Exec("COMMIT");
      if (s.ok()) open_ = false;
      return s;
    }
    ~Txn() {
      if (open_) (void)conn_->Exec("ROLLBACK");
    }
  
   private:
    SqliteConnection* conn_;
    bool open_ = false;
  };

  ClientDb(std::unique_ptr<SqliteConnection> conn, std::unique_ptr<FileLock> lock, Env* env);
  struct Row {
    int64_t seq = 0;
    PendingOperation op;
    int64_t not_before = 0;
  };
  static constexpr const char* kRowColumns =
      "seq, op_id, collection, key, op, base_etag, body, state, error, not_before, created_at";
  // Reads the row `st` stands on (selected as kRowColumns).
  static Status ReadRow(SqliteStatement* st, Row* row);
  // Every row the bound statement `st` (selecting kRowColumns) yields; resets it.
  static Result<std::vector<Row>> ReadRows(SqliteStatement* st);
  // The first row of ReadRows, if any.
  static Result<std::optional<Row>> ReadFirstRow(SqliteStatement* st);

  Status PutLocked(const std::string& collection, const std::string& key, const Json* doc);
  Result<std::optional<Row>> LastRow(const std::string& collection, const std::string& key);
  Result<std::optional<Row>> FirstRow(const std::string& collection, const std::string& key);
  // The document's row after `row`, if any.
  Result<std::optional<Row>> NextRow(const Row& row);
  Result<std::optional<std::pair<Json, int64_t>>> LoadDoc(const std::string& collection,
                                                          const std::string& key);
  Status StoreDoc(const std::string& collection, const std::string& key, const Json* doc,
                  int64_t etag);
  // The server etag a local document is now based on (its body unchanged).
  Status SetDocEtag(const std::string& collection, const std::string& key, int64_t etag);
  Status InsertRow(const Row& row);
  Status UpdateRow(const Row& row);
  Status DeleteRow(int64_t seq);
  Status ResolveRow(Row row, const MaybeDocument& server, int64_t server_etag,
                    const Resolver& resolver, int64_t sync_number, std::vector<AppliedChange>* out);
  Status ApplyOne(const PendingOperation& op, const PushResult& result, const Resolver& resolver,
                  const FailureHandlers& handlers, int64_t sync_number, BatchOutcome* out);
  // An `applied` answer (most of them): reads only the rows' heads, parses no document.
  Status ApplyApplied(const PendingOperation& sent, const PushResult& result, BatchOutcome* out);
  Status RunFailureAction(Row row, FailureAction action, int64_t next_sync,
                          std::vector<AppliedChange>* out);
  std::string NewOpId();

  std::mutex mu_;
  std::unique_ptr<SqliteConnection> conn_;
  std::unique_ptr<FileLock> lock_;
  Env* env_;
};

}  // namespace syncline
