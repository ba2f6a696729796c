// Store: the storage engine interface. Every layer above talks to storage only through it, so a
// PostgreSQL backend can sit beside the SQLite one (src/store/sqlite/).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/chunk_pins.h"
#include "store/client_record.h"
#include "store/collection_tree.h"
#include "store/field_index.h"
#include "store/item.h"
#include "store/job_record.h"
#include "store/snapshot.h"
#include "store/sync_state.h"
#include "store/user_record.h"
#include "syncline/result.h"
#include "util/json.h"
#include "util/sha256.h"

namespace syncline {

struct DatabaseInfo {
  std::string name;
  int64_t last_etag = 0;
  int64_t created_at = 0;
};

// Which items ListItems returns, in key order.
struct ListOptions {
  ItemKind kind = ItemKind::kDocument;
  std::string collection;    // documents only
  std::string prefix;        // keys starting with this
  std::string after;         // keys strictly after this
  int64_t limit = 1000;
  bool include_deleted = false;
  bool with_manifest = false;  // manifests can be megabytes; leave them out unless needed
};

struct ChangePage {
  std::vector<Change> changes;
  int64_t last_etag = 0;  // the database's latest etag when the page was read
};

// The changes made inside one Store::Write call. Not thread-safe; lives only inside the call.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;
  // The item as stored now (tombstones included), or NotFound.
  virtual Result<Item> Get(ItemKind kind, std::string_view collection, std::string_view key) = 0;
  // Inserts or replaces the item; assigns the next etag to item->etag.
  virtual Status Put(Item* item) = 0;

  // Configuration values (JSON text) of the database; they take no etag.
  virtual Result<std::string> GetConfig(std::string_view name) = 0;  // NotFound if absent
  virtual Status PutConfig(std::string_view name, std::string_view value) = 0;
  virtual Status DeleteConfig(std::string_view name) = 0;  // OK if absent

  // Sync state (sync_state.h), written in the same transaction as the items it concerns.
  // Put replaces; Delete is OK if absent; Get gives nullopt (or 0) if absent.
  virtual Status PutReport(ReportDirection dir, const ReportRecord& report) = 0;
  virtual Result<std::optional<ConflictRecord>> GetConflict(const ItemRef& ref) = 0;
  virtual Status PutConflict(const ConflictRecord& conflict) = 0;
  virtual Status DeleteConflict(const ItemRef& ref) = 0;
  virtual Result<std::optional<LockRecord>> GetLock(const ItemRef& ref) = 0;
  virtual Status PutLock(const ItemRef& ref, const LockRecord& lock) = 0;
  virtual Status DeleteLock(const ItemRef& ref) = 0;
  // The watermark of a source (a node's database) that pushes here.
  virtual Result<int64_t> GetSourceEtag(std::string_view node, std::string_view db) = 0;
  virtual Status PutSourceEtag(std::string_view node, std::string_view db, int64_t etag) = 0;
  // Replaces the items to confirm at destination `url` (empty: none).
  virtual Status SetConfirmations(std::string_view url, const std::vector<ItemRef>& refs) = 0;

  // The follower of `collection` (job_record.h), nullopt if it follows no master. Delete is OK
  // if absent.
  virtual Result<std::optional<FollowerRecord>> GetFollower(std::string_view collection) = 0;
  virtual Status PutFollower(const FollowerRecord& follower) = 0;
  virtual Status DeleteFollower(std::string_view collection) = 0;

  // Live documents of `collection` with after < key <= through (no upper bound if `through`
  // is empty), in key order, at most `limit`.
  virtual Result<std::vector<Item>> ListDocuments(std::string_view collection,
                                                  std::string_view after,
                                                  std::string_view through, int64_t limit) = 0;
  // The result a client's push operation got when it was first applied (a JSON text), or
  // nullopt; PutClientOp remembers it, in this transaction, and forgets week-old ones.
  virtual Result<std::optional<std::string>> GetClientOp(std::string_view client_id,
                                                         std::string_view op_id) = 0;
  virtual Status PutClientOp(std::string_view client_id, std::string_view op_id,
                             std::string_view result) = 0;

  // Documents staged under `stage` (Store::StageDocuments) with key > after, in key order.
  virtual Result<std::vector<Item>> ListStaged(std::string_view stage, std::string_view after,
                                               int64_t limit) = 0;
};

// A configuration entry: a name and its JSON text.
struct ConfigEntry {
  std::string name;
  std::string value;
};

// Streams chunks into a database's chunk storage. Chunks become durable and visible to HasChunk
// and ReadChunk only after Flush. Not thread-safe; one writer per upload.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // REQUIRES: hash == Sha256(data)
  virtual Status Add(const Sha256Digest& hash, std::string_view data) = 0;
  virtual Status Flush() = 0;
};

// Thread-safe: any method may be called from any thread at any time.
class Store {
 public:
  virtual ~Store() = default;

  // This node's stable id (a UUID made on first open).
  virtual const std::string& node_id() const = 0;

  // AlreadyExists if present. REQUIRES: name passed ValidateDatabaseName.
  virtual Status CreateDatabase(std::string_view name) = 0;
  // Removes the database with all its items and chunks; NotFound if absent.
  virtual Status DropDatabase(std::string_view name) = 0;
  virtual Result<std::vector<DatabaseInfo>> ListDatabases() = 0;
  virtual Result<DatabaseInfo> GetDatabase(std::string_view name) = 0;

  // Runs `fn` in one write transaction of database `db`. If it returns OK, everything it Put is
  // committed atomically and durably, with consecutive etags; otherwise nothing is. Writers to
  // one node are serialized. NotFound if the database does not exist.
  virtual Status Write(std::string_view db, const std::function<Status(WriteTransaction&)>& fn) = 0;

  // The item (tombstones included), or NotFound.
  virtual Result<Item> GetItem(std::string_view db, ItemKind kind, std::string_view collection,
                               std::string_view key) = 0;
  virtual Result<std::vector<Item>> ListItems(std::string_view db, const ListOptions& options) = 0;
  // Changes with etag > since, in etag order, at most `limit`.
  virtual Result<ChangePage> ListChanges(std::string_view db, int64_t since, int64_t limit) = 0;
  // How far a reader of the change feed at `since` is behind: how many changes follow it
  // (counted up to `max_count`) and when the first of them was written (0 if none).
  struct FeedLag {
    int64_t changes = 0;
    int64_t oldest_updated_at = 0;  // microseconds since the epoch
  };
  virtual Result<FeedLag> LagAfter(std::string_view db, int64_t since, int64_t max_count) = 0;
  // The collections holding live documents, by name, with how many each holds.
  struct CollectionInfo {
    std::string name;
    int64_t documents = 0;
  };
  virtual Result<std::vector<CollectionInfo>> ListCollections(std::string_view db) = 0;

  // A configuration value, or NotFound.
  virtual Result<std::string> GetConfig(std::string_view db, std::string_view name) = 0;
  // Entries whose name starts with `prefix` and sorts after `after`, in name order.
  virtual Result<std::vector<ConfigEntry>> ListConfig(std::string_view db, std::string_view prefix,
                                                      std::string_view after, int64_t limit) = 0;

  // Sync state, read outside a write (see WriteTransaction for what each holds).
  virtual Result<std::optional<ReportRecord>> GetReport(std::string_view db, ReportDirection dir,
                                                        const ItemRef& ref) = 0;
  // Reports newest first: `limit` of them from the `start`th, and the total.
  virtual Result<ReportPage> ListReports(std::string_view db, ReportDirection dir, int64_t start,
                                         int64_t limit) = 0;
  virtual Result<std::optional<ConflictRecord>> GetConflict(std::string_view db,
                                                            const ItemRef& ref) = 0;
  // Conflicts in item order after `after` (from the first if null), at most `limit`.
  virtual Result<std::vector<ConflictRecord>> ListConflicts(std::string_view db,
                                                            const ItemRef* after,
                                                            int64_t limit) = 0;
  virtual Result<std::vector<ItemRef>> GetConfirmations(std::string_view db,
                                                        std::string_view url) = 0;
  virtual Result<int64_t> GetSourceEtag(std::string_view db, std::string_view node,
                                        std::string_view source_db) = 0;

  // REQUIRES: the store outlives the writer (its chunks stay pinned until it is destroyed).
  virtual Result<std::unique_ptr<ChunkWriter>> NewChunkWriter(std::string_view db) = 0;
  virtual Result<bool> HasChunk(std::string_view db, const Sha256Digest& hash) = 0;
  // Replaces *out with the chunk's bytes; NotFound if the database lacks it. With kVerify,
  // Corruption if the bytes no longer match the hash; kTrusted skips that check, for readers
  // whose result is verified downstream anyway (sync: the receiving side checks every chunk).
  enum class ChunkCheck { kVerify, kTrusted };
  virtual Status ReadChunk(std::string_view db, const Sha256Digest& hash, std::string* out,
                           ChunkCheck check = ChunkCheck::kVerify) = 0;

  // Garbage collection's primitives (sync/garbage_collector.h drives them).
  // The chunks a collection must keep although no item names them (uploads, syncs, readers).
  virtual ChunkPins& chunk_pins() = 0;
  // Calls `on_manifest` with every live file's manifest and `on_conflict_item` with every
  // conflict's kept-aside item (JSON text, sync/item_json.h), all read in one snapshot.
  virtual Status ForEachReference(
      std::string_view db, const std::function<Status(std::string_view)>& on_manifest,
      const std::function<Status(std::string_view)>& on_conflict_item) = 0;
  struct PackInfo {
    int64_t pack = 0;
    uint64_t file_bytes = 0;
    bool busy = false;  // appended to now: not to be compacted
  };
  virtual Result<std::vector<PackInfo>> ListPacks(std::string_view db) = 0;
  struct StoredChunk {
    Sha256Digest hash;
    uint32_t length = 0;
  };
  virtual Result<std::vector<StoredChunk>> ListPackChunks(std::string_view db, int64_t pack) = 0;
  // Rewrites `pack`: copies the chunks it holds that `is_live` keeps (or that are protected by
  // chunk_pins()) to the current pack, forgets the others and removes the pack file. Returns the
  // bytes the pack file held. Unavailable (and nothing changes) if the pack is busy, or if a
  // chunk it would forget got pinned meanwhile: try again later. A crash at any point loses no
  // chunk that is kept: copies are durable before their rows move, and the old file goes last.
  virtual Result<uint64_t> CompactPack(std::string_view db, int64_t pack,
                                       const std::function<bool(const Sha256Digest&)>& is_live) = 0;

  // A snapshot of the database for a long read (snapshot.h).
  virtual Result<std::unique_ptr<StoreSnapshot>> OpenSnapshot(std::string_view db) = 0;

  // Staged documents: received, not applied, invisible to readers, taking no etag. Each call
  // commits on its own; a write transaction applies them (WriteTransaction::ListStaged).
  // Documents are Items with `key`, `deleted`, `version_vector`, `updated_at` and `body`.
  virtual Status StageDocuments(std::string_view db, std::string_view stage,
                                const std::vector<Item>& docs) = 0;
  virtual Status DropStage(std::string_view db, std::string_view stage) = 0;  // OK if absent

  // Checks each collection's tree (only `collection` unless empty) against its documents, and
  // with `repair` rewrites what is wrong, in one transaction.
  virtual Result<std::vector<TreeCheck>> CheckTrees(std::string_view db,
                                                    std::string_view collection,
                                                    bool repair) = 0;

  // Collection sync jobs (job_record.h). Put replaces; Get gives nullopt if absent; List is
  // newest first.
  virtual Status PutJob(std::string_view db, const JobRecord& job) = 0;
  virtual Result<std::optional<JobRecord>> GetJob(std::string_view db, std::string_view id) = 0;
  virtual Result<std::vector<JobRecord>> ListJobs(std::string_view db, int64_t limit) = 0;

  // Every following collection of the database, by name.
  virtual Result<std::vector<FollowerRecord>> ListFollowers(std::string_view db) = 0;

  // Users and their login tokens (user_record.h): node-wide, not in a database.
  virtual Status CreateUser(const UserRecord& user) = 0;  // AlreadyExists if the name is taken
  // Replaces the user's password hash and grants. A new password hash revokes every token the
  // user holds, in the same transaction. NotFound if absent.
  virtual Status UpdateUser(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> GetUser(std::string_view name) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;  // by name
  // Removes the user with its grants and tokens; NotFound if absent.
  virtual Status DeleteUser(std::string_view name) = 0;
  // Stores a token (and drops every token expired by its creation time).
  virtual Status PutToken(const TokenRecord& token) = 0;
  virtual Result<std::optional<TokenRecord>> GetToken(std::string_view token_hash) = 0;
  virtual Status DeleteToken(std::string_view token_hash) = 0;  // OK if absent

  // Offline-first clients of a database (client_record.h). PutClient and PutClientCollection
  // replace; DeleteClient removes the client with its collections and remembered operations
  // (NotFound if absent).
  virtual Status PutClient(std::string_view db, const ClientRecord& client) = 0;
  virtual Result<std::optional<ClientRecord>> GetClient(std::string_view db,
                                                        std::string_view client_id) = 0;
  virtual Result<std::vector<ClientRecord>> ListClients(std::string_view db) = 0;
  virtual Status DeleteClient(std::string_view db, std::string_view client_id) = 0;
  virtual Status PutClientCollection(std::string_view db, const ClientCollectionRecord& c) = 0;
  virtual Result<std::vector<ClientCollectionRecord>> ListClientCollections(
      std::string_view db, std::string_view client_id) = 0;

  // Documents of `collection` changed after etag `since` (tombstones included, with bodies),
  // in etag order, at most `limit`: a collection's own change feed.
  virtual Result<std::vector<Item>> ListCollectionChanges(std::string_view db,
                                                          std::string_view collection,
                                                          int64_t since, int64_t limit) = 0;
  // How many of those there are, leaving out tombstones with etag <= skip_tombstones_until.
  virtual Result<int64_t> CountCollectionChanges(std::string_view db,
                                                 std::string_view collection, int64_t since,
                                                 int64_t skip_tombstones_until) = 0;

  // Field indexes (sqlite_indexes.h): an index on one JSON field of a collection's documents,
  // used by FindByField. Create: AlreadyExists, InvalidArgument for a bad field; drop:
  // NotFound. FindByField: live documents whose field equals `value` (string, integer or
  // boolean) in key order after `after_key`; NotFound when the field has no index.
  virtual Status CreateFieldIndex(std::string_view db, const std::string& collection,
                                  const std::string& field) = 0;
  virtual Status DropFieldIndex(std::string_view db, const std::string& collection,
                                const std::string& field) = 0;
  virtual Result<std::vector<FieldIndex>> ListFieldIndexes(std::string_view db) = 0;
  virtual Result<std::vector<Item>> FindByField(std::string_view db, const std::string& collection,
                                                const std::string& field, const Json& value,
                                                const std::string& after_key, int64_t limit) = 0;
  // SQLite's plan for FindByField (for tests and diagnosis).
  virtual Result<std::string> FieldIndexPlan(std::string_view db, const std::string& field) = 0;

  // What one commit that wrote items did: for long-polls, replication and metrics.
  struct Commit {
    std::string db;
    int64_t last_etag = 0;          // the database's new last etag
    int64_t documents_written = 0;  // item versions put, tombstones included
    int64_t files_written = 0;
  };
  // Called after every commit that wrote items. The listener must be quick and must not call
  // back into the store.
  using ChangeListener = std::function<void(const Commit& commit)>;
  virtual void SetChangeListener(ChangeListener listener) = 0;
};

// Every configuration entry under `prefix`, in name order, read page by page.
Result<std::vector<ConfigEntry>> ListAllConfig(Store* store, std::string_view db,
                                               std::string_view prefix);

}  // namespace syncline
