// SqliteStore: Store over SQLite, one writer connection and a pool of readers.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "store/sqlite/pack_files.h"
#include "store/sqlite/sqlite_clients.h"
#include "store/sqlite/sqlite_indexes.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_sync_state.h"
#include "store/sqlite/sqlite_tree.h"
#include "store/sqlite/sqlite_users.h"
#include "store/sqlite/wal_checkpointer.h"
#include "store/sqlite/write_cache.h"
#include "util/uuid.h"

namespace syncline {

namespace {

constexpr char kItemColumns[] =
    "kind, collection, key, etag, version_vector, deleted, updated_at, body, size, "
    "content_hash, manifest, metadata";

// Reads the columns listed in kItemColumns, starting at column 0.
Item ReadItem(const SqliteStatement& st) {
  Item item;
  item.kind = static_cast<ItemKind>(st.Int(0));
  item.collection = st.Text(1);
  item.key = st.Text(2);
  item.etag = st.Int(3);
  item.version_vector = st.Text(4);
  item.deleted = st.Int(5) != 0;
  item.updated_at = st.Int(6);
  item.body = std::string(st.Blob(7));
  item.size = st.Int(8);
  item.content_hash = st.Text(9);
  item.manifest = std::string(st.Blob(10));
  item.metadata = st.IsNull(11) ? "{}" : st.Text(11);
  return item;
}

Status NotFoundItem(const ItemRef& ref) {
  return Status::NotFound(std::string(ItemKindName(ref.kind)) + " '" + ref.key + "' not found");
}

// The item stored under (kind, collection, key), tombstones included, or NotFound.
Result<Item> SelectItem(SqliteConnection* conn, int64_t db_id, ItemKind kind,
                        std::string_view collection, std::string_view key) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn->Prepare(std::string("SELECT ") + kItemColumns +
                    " FROM items WHERE db_id=? AND kind=? AND collection=? AND key=?"));
  st->Bind(1, db_id).Bind(2, static_cast<int64_t>(kind)).Bind(3, collection).Bind(4, key);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFoundItem({kind, std::string(collection), std::string(key)});
  }
  Item item = ReadItem(*st);
  st->Reset();
  return item;
}

Result<std::string> SelectConfig(SqliteConnection* conn, int64_t db_id, std::string_view name) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn->Prepare("SELECT value FROM config WHERE db_id=? AND name=?"));
  st->Bind(1, db_id).Bind(2, name);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return Status::NotFound("config '" + std::string(name) + "' not found");
  }
  std::string value = st->Text(0);
  st->Reset();
  return value;
}

class SqliteStore;

class SqliteWriteTransaction : public WriteTransaction {
 public:
  SqliteWriteTransaction(SqliteConnection* conn, int64_t db_id, int64_t last_etag, Env* env,
                         bool trees)
      : conn_(conn), db_id_(db_id), etag_(last_etag), env_(env), trees_(trees) {}

  Result<Item> Get(ItemKind kind, std::string_view collection, std::string_view key) override {
    ItemRef ref{kind, std::string(collection), std::string(key)};
    if (last_item_ && last_get_ == ref) {
      // Read by the last Get, not put since: last_tree_hash_ still holds for it too.
      if (!*last_item_) return NotFoundItem(ref);
      return **last_item_;
    }
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare(std::string("SELECT ") + kItemColumns +
                       ", tree_hash FROM items WHERE db_id=? AND kind=? AND collection=? AND "
                       "key=?"));
    st->Bind(1, db_id_).Bind(2, static_cast<int64_t>(kind)).Bind(3, collection).Bind(4, key);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    // Writers get an item before they put it: its tree hash is kept for that Put.
    last_get_ = ref;
    last_tree_hash_.reset();
    if (!row) {
      st->Reset();
      last_item_.emplace(std::nullopt);
      return NotFoundItem(ref);
    }
    Item item = ReadItem(*st);
    std::string_view h = st->Blob(12);
    if (!st->IsNull(12) && h.size() == Sha256Digest{}.size()) {
      last_tree_hash_.emplace();
      std::copy(h.begin(), h.end(), last_tree_hash_->begin());
    }
    st->Reset();
    last_item_.emplace(item);
    return item;
  }

  Status Put(Item* item) override {
    last_item_.reset();
    item->etag = ++etag_;
    ++(item->kind == ItemKind::kDocument ? documents_put_ : files_put_);
    if (item->updated_at == 0) item->updated_at = env_->clock->NowMicros();
    std::optional<Sha256Digest> tree_hash;
    uint32_t key_hash = 0;
    if (item->kind == ItemKind::kDocument && trees_) {
      key_hash = TreeKeyHash(item->key);
      SYNCLINE_RETURN_IF_ERROR(UpdateTree(*item, key_hash, &tree_hash));
    }
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare(
            "INSERT INTO items (db_id, kind, collection, key, etag, version_vector, deleted, "
            "updated_at, body, size, content_hash, manifest, metadata, key_hash, tree_hash) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (db_id, kind, collection, key) DO UPDATE SET etag=excluded.etag, "
            "version_vector=excluded.version_vector, deleted=excluded.deleted, "
            "updated_at=excluded.updated_at, body=excluded.body, size=excluded.size, "
            "content_hash=excluded.content_hash, manifest=excluded.manifest, "
            "metadata=excluded.metadata, tree_hash=excluded.tree_hash"));  // key_hash: fixed
    st->Bind(1, db_id_)
        .Bind(2, static_cast<int64_t>(item->kind))
        .Bind(3, item->collection)
        .Bind(4, item->key)
        .Bind(5, item->etag)
        .Bind(6, item->version_vector)
        .Bind(7, int64_t{item->deleted})
        .Bind(8, item->updated_at)
        .Bind(10, item->size);
    if (item->kind == ItemKind::kDocument && !item->deleted) st->BindBlob(9, item->body);
    if (item->kind == ItemKind::kFile) {
      st->Bind(11, item->content_hash).BindBlob(12, item->manifest).Bind(13, item->metadata);
    }
    if (item->kind == ItemKind::kDocument && trees_) st->Bind(14, int64_t{key_hash});
    if (tree_hash) st->BindBlob(15, tree_hash->data(), tree_hash->size());
    return st->Run().WithContext("put item");
  }

  Result<std::vector<Item>> ListDocuments(std::string_view collection, std::string_view after,
                                          std::string_view through, int64_t limit) override {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare(std::string("SELECT ") + kItemColumns +
                       " FROM items WHERE db_id=? AND kind=0 AND collection=? AND key>? "
                       "AND key<=? AND deleted=0 ORDER BY key LIMIT ?"));
    st->Bind(1, db_id_).Bind(2, collection).Bind(3, after);
    st->Bind(4, sqlite_tree::UpperKeyBound(through)).Bind(5, limit);
    std::vector<Item> out;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadItem(*st));
    }
    st->Reset();
    return out;
  }

  Result<std::optional<std::string>> GetClientOp(std::string_view client_id,
                                                 std::string_view op_id) override {
    return sqlite_clients::GetClientOp(conn_, db_id_, client_id, op_id);
  }
  Status PutClientOp(std::string_view client_id, std::string_view op_id,
                     std::string_view result) override {
    constexpr int64_t kKeepMicros = 7 * 86400 * 1'000'000LL;
    int64_t now = env_->clock->NowMicros();
    if (!pruned_ops_) {  // a push of thousands of operations prunes once
      SYNCLINE_RETURN_IF_ERROR(sqlite_clients::PruneClientOps(conn_, db_id_, now - kKeepMicros));
      pruned_ops_ = true;
    }
    return sqlite_clients::PutClientOp(conn_, db_id_, client_id, op_id, result, now);
  }

  Result<std::optional<FollowerRecord>> GetFollower(std::string_view collection) override {
    std::string name(collection);
    if (const std::optional<FollowerRecord>* known = cache_.follower(name)) return *known;
    SYNCLINE_ASSIGN_OR_RETURN(std::optional<FollowerRecord> f,
                              sqlite_sync_state::GetFollower(conn_, db_id_, collection));
    cache_.set_follower(name, f);
    return f;
  }
  Status PutFollower(const FollowerRecord& follower) override {
    cache_.forget_follower(follower.collection);
    return sqlite_sync_state::PutFollower(conn_, db_id_, follower);
  }
  Status DeleteFollower(std::string_view collection) override {
    cache_.forget_follower(std::string(collection));
    return sqlite_sync_state::DeleteFollower(conn_, db_id_, collection);
  }

  Result<std::vector<Item>> ListStaged(std::string_view stage, std::string_view after,
                                       int64_t limit) override {
    return sqlite_tree::ReadStaged(conn_, db_id_, stage, after, limit);
  }

  // Writes the tree changes of the documents put so far; before the commit.
  Status FlushTree() { return tree_.Flush(conn_, db_id_); }

  Result<std::string> GetConfig(std::string_view name) override {
    return SelectConfig(conn_, db_id_, name);
  }

  Status PutConfig(std::string_view name, std::string_view value) override {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              conn_->Prepare("INSERT OR REPLACE INTO config VALUES (?,?,?)"));
    return st->Bind(1, db_id_).Bind(2, name).Bind(3, value).Run().WithContext("put config");
  }

  Status DeleteConfig(std::string_view name) override {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              conn_->Prepare("DELETE FROM config WHERE db_id=? AND name=?"));
    return st->Bind(1, db_id_).Bind(2, name).Run().WithContext("delete config");
  }

  Status PutReport(ReportDirection dir, const ReportRecord& r) override {
    return sqlite_sync_state::PutReport(conn_, db_id_, dir, r);
  }
  Result<std::optional<ConflictRecord>> GetConflict(const ItemRef& ref) override {
    SYNCLINE_ASSIGN_OR_RETURN(bool may, MayHold(WriteCache::Rows::kConflicts, ref));
    if (!may) return std::optional<ConflictRecord>();
    return sqlite_sync_state::GetConflict(conn_, db_id_, ref);
  }
  Status PutConflict(const ConflictRecord& c) override {
    cache_.set_may_hold(WriteCache::Rows::kConflicts, {c.ref.kind, c.ref.collection}, true);
    return sqlite_sync_state::PutConflict(conn_, db_id_, c);
  }
  Status DeleteConflict(const ItemRef& ref) override {
    return sqlite_sync_state::DeleteConflict(conn_, db_id_, ref);
  }
  Result<std::optional<LockRecord>> GetLock(const ItemRef& ref) override {
    SYNCLINE_ASSIGN_OR_RETURN(bool may, MayHold(WriteCache::Rows::kLocks, ref));
    if (!may) return std::optional<LockRecord>();
    return sqlite_sync_state::GetLock(conn_, db_id_, ref);
  }
  Status PutLock(const ItemRef& ref, const LockRecord& lock) override {
    cache_.set_may_hold(WriteCache::Rows::kLocks, {ref.kind, ref.collection}, true);
    return sqlite_sync_state::PutLock(conn_, db_id_, ref, lock);
  }
  Status DeleteLock(const ItemRef& ref) override {
    return sqlite_sync_state::DeleteLock(conn_, db_id_, ref);
  }
  Result<int64_t> GetSourceEtag(std::string_view node, std::string_view db) override {
    return sqlite_sync_state::GetSourceEtag(conn_, db_id_, node, db);
  }
  Status PutSourceEtag(std::string_view node, std::string_view db, int64_t etag) override {
    return sqlite_sync_state::PutSourceEtag(conn_, db_id_, node, db, etag);
  }
  Status SetConfirmations(std::string_view url, const std::vector<ItemRef>& refs) override {
    return sqlite_sync_state::SetConfirmations(conn_, db_id_, url, refs);
  }

  int64_t etag() const { return etag_; }
  int64_t documents_put() const { return documents_put_; }
  int64_t files_put() const { return files_put_; }

 private:
  // Takes the document's old hash out of its collection's tree and puts its new one in (none
  // for a tombstone), setting *tree_hash to the new one.
  Status UpdateTree(const Item& item, uint32_t key_hash, std::optional<Sha256Digest>* tree_hash) {
    if (last_get_ == item.ref()) {
      if (last_tree_hash_) tree_.Remove(item.collection, key_hash, *last_tree_hash_);
      last_get_ = {};
      return AddToTree(item, key_hash, tree_hash);
    }
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare("SELECT tree_hash FROM items WHERE db_id=? AND kind=0 AND collection=? "
                       "AND key=?"));
    st->Bind(1, db_id_).Bind(2, item.collection).Bind(3, item.key);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row && !st->IsNull(0)) {
      std::string_view old = st->Blob(0);
      Sha256Digest h{};
      if (old.size() != h.size()) {
        st->Reset();
        return Status::Corruption("document '" + item.key + "' has a damaged tree hash");
      }
      std::copy(old.begin(), old.end(), h.begin());
      tree_.Remove(item.collection, key_hash, h);
    }
    st->Reset();
    return AddToTree(item, key_hash, tree_hash);
  }

  // False if no item of ref's kind and collection has a row of `rows` (asked once per
  // transaction, then kept current by this transaction's own puts).
  Result<bool> MayHold(WriteCache::Rows rows, const ItemRef& ref) {
    WriteCache::Scope scope{ref.kind, ref.collection};
    if (std::optional<bool> known = cache_.may_hold(rows, scope)) return *known;
    Result<bool> any = rows == WriteCache::Rows::kLocks
                           ? sqlite_sync_state::AnyLock(conn_, db_id_, ref.kind, ref.collection)
                           : sqlite_sync_state::AnyConflict(conn_, db_id_, ref.kind, ref.collection);
    if (any.ok()) cache_.set_may_hold(rows, scope, *any);
    return any;
  }

  Status AddToTree(const Item& item, uint32_t key_hash, std::optional<Sha256Digest>* tree_hash) {
    if (!item.deleted) {
      *tree_hash = TreeDocumentHash(item.key, item.version_vector, item.body);
      tree_.Add(item.collection, key_hash, **tree_hash);
    }
    return Status::OK();
  }

  SqliteConnection* conn_;
  int64_t db_id_;
  int64_t etag_;
  int64_t documents_put_ = 0;
  int64_t files_put_ = 0;
  Env* env_;
  bool trees_;
  bool pruned_ops_ = false;  // PutClientOp pruned old operations in this transaction
  sqlite_tree::TreeDelta tree_;
  // The item the last Get read (nullopt inside: absent) until a Put, so a writer that gets it
  // twice reads it once; and its tree hash (none for a tombstone or an absent item).
  ItemRef last_get_;
  std::optional<std::optional<Item>> last_item_;
  std::optional<Sha256Digest> last_tree_hash_;
  WriteCache cache_;
};

class SqliteStore : public Store {
 public:
  SqliteStore(Env* env, std::string dir, SqliteStoreOptions options)
      : env_(env), dir_(std::move(dir)), options_(options), packs_(env, dir_ + "/packs") {}

  Status Open() {
    SYNCLINE_RETURN_IF_ERROR(env_->fs->CreateDirs(dir_));
    SYNCLINE_ASSIGN_OR_RETURN(writer_, SqliteConnection::Open(path(), options_.sync_commits));
    SYNCLINE_RETURN_IF_ERROR(ApplySchema(writer_.get()).WithContext("apply schema"));
    SYNCLINE_RETURN_IF_ERROR(sqlite_tree::RegisterFunctions(writer_.get()));
    SYNCLINE_RETURN_IF_ERROR(FinishTreeMigration().WithContext("build collection trees"));
    SYNCLINE_ASSIGN_OR_RETURN(checkpointer_, WalCheckpointer::Start(path(), writer_.get()));
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              writer_->Prepare("SELECT value FROM node WHERE key='node_id'"));
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) node_id_ = st->Text(0);
    st->Reset();
    if (node_id_.empty()) {
      node_id_ = NewUuid(env_->random);
      SYNCLINE_ASSIGN_OR_RETURN(st,
                                writer_->Prepare("INSERT INTO node VALUES ('node_id', ?)"));
      SYNCLINE_RETURN_IF_ERROR(st->Bind(1, node_id_).Run());
    }
    return Status::OK();
  }

  const std::string& node_id() const override { return node_id_; }

  Status CreateDatabase(std::string_view name) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        writer_->Prepare("INSERT INTO databases (name, created_at) VALUES (?, ?)"));
    Status s = st->Bind(1, name).Bind(2, env_->clock->NowMicros()).Run();
    if (s.code() == Status::Code::kAlreadyExists) {
      return Status::AlreadyExists("database '" + std::string(name) + "' already exists");
    }
    return s;
  }

  Status DropDatabase(std::string_view name) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), name));
    SYNCLINE_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      for (const char* sql : {"DELETE FROM items WHERE db_id=?", "DELETE FROM chunks WHERE db_id=?",
                              "DELETE FROM config WHERE db_id=?",
                              "DELETE FROM tree_nodes WHERE db_id=?",
                              "DELETE FROM staged_documents WHERE db_id=?",
                              "DELETE FROM databases WHERE id=?"}) {
        SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, writer_->Prepare(sql));
        SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Run());
      }
      SYNCLINE_RETURN_IF_ERROR(sqlite_sync_state::DropDatabaseState(writer_.get(), db_id));
      SYNCLINE_RETURN_IF_ERROR(sqlite_clients::DropDatabaseClients(writer_.get(), db_id));
      SYNCLINE_RETURN_IF_ERROR(sqlite_indexes::DropDatabaseIndexes(writer_.get(), db_id));
      return writer_->Exec("COMMIT");
    }();
    if (!s.ok()) {
      (void)writer_->Exec("ROLLBACK");  // the failure is reported below, not this one's
      return s.WithContext("drop database");
    }
    {
      std::lock_guard<std::mutex> ids(ids_mu_);
      ids_.erase(std::string(name));
    }
    last_etags_.erase(db_id);
    // The rows are gone; leftover pack bytes are unreachable, so a failure here loses nothing.
    return packs_.Drop(db_id);
  }

  Result<std::vector<DatabaseInfo>> ListDatabases() override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        r->Prepare("SELECT name, last_etag, created_at FROM databases ORDER BY name"));
    std::vector<DatabaseInfo> out;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back({st->Text(0), st->Int(1), st->Int(2)});
    }
    st->Reset();
    return out;
  }

  Result<DatabaseInfo> GetDatabase(std::string_view name) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        r->Prepare("SELECT name, last_etag, created_at FROM databases WHERE name=?"));
    st->Bind(1, name);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NoDatabase(name);
    }
    DatabaseInfo info{st->Text(0), st->Int(1), st->Int(2)};
    st->Reset();
    return info;
  }

  Status Write(std::string_view db, const std::function<Status(WriteTransaction&)>& fn) override {
    Commit commit;
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
      SYNCLINE_ASSIGN_OR_RETURN(int64_t start_etag, LastEtagLocked(db_id));
      SYNCLINE_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
      SqliteWriteTransaction txn(writer_.get(), db_id, start_etag, env_,
                                 options_.collection_trees);
      Status s = fn(txn);
      if (s.ok()) s = txn.FlushTree();
      if (s.ok() && txn.etag() != start_etag) {
        auto st = writer_->Prepare("UPDATE databases SET last_etag=? WHERE id=?");
        s = st.ok() ? (*st)->Bind(1, txn.etag()).Bind(2, db_id).Run() : st.status();
      }
      if (s.ok()) s = writer_->Exec("COMMIT");
      if (!s.ok()) {
        (void)writer_->Exec("ROLLBACK");  // the caller gets the first failure
        return s;
      }
      last_etags_[db_id] = txn.etag();
      if (txn.etag() == start_etag) return Status::OK();
      commit = {std::string(db), txn.etag(), txn.documents_put(), txn.files_put()};
    }
    NotifyChange(commit);
    return Status::OK();
  }

  Result<Item> GetItem(std::string_view db, ItemKind kind, std::string_view collection,
                       std::string_view key) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    return SelectItem(r.get(), db_id, kind, collection, key);
  }

  Result<std::vector<Item>> ListItems(std::string_view db, const ListOptions& o) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    std::string cols = kItemColumns;
    if (!o.with_manifest) cols.replace(cols.find("manifest"), 8, "NULL");
    std::string sql = "SELECT " + cols +
                      " FROM items WHERE db_id=? AND kind=? AND collection=? AND key>? "
                      "AND key>=? AND substr(CAST(key AS BLOB), 1, ?)=CAST(? AS BLOB)";
    if (!o.include_deleted) sql += " AND deleted=0";
    sql += " ORDER BY key LIMIT ?";
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, r->Prepare(sql));
    st->Bind(1, db_id)
        .Bind(2, static_cast<int64_t>(o.kind))
        .Bind(3, o.collection)
        .Bind(4, o.after)
        .Bind(5, o.prefix)
        .Bind(6, static_cast<int64_t>(o.prefix.size()))
        .Bind(7, o.prefix)
        .Bind(8, o.limit);
    std::vector<Item> out;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadItem(*st));
    }
    st->Reset();
    return out;
  }

  Result<FeedLag> LagAfter(std::string_view db, int64_t since, int64_t max_count) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) -> Result<FeedLag> {
      FeedLag lag;
      // Both on items_by_etag: the count reads index entries only, bounded by max_count.
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st,
          c->Prepare("SELECT count(*) FROM (SELECT 1 FROM items WHERE db_id=? AND etag>? LIMIT ?)"));
      st->Bind(1, db_id).Bind(2, since).Bind(3, max_count);
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      lag.changes = row ? st->Int(0) : 0;
      st->Reset();
      SYNCLINE_ASSIGN_OR_RETURN(
          st, c->Prepare("SELECT updated_at FROM items WHERE db_id=? AND etag>? ORDER BY etag LIMIT 1"));
      st->Bind(1, db_id).Bind(2, since);
      SYNCLINE_ASSIGN_OR_RETURN(row, st->Step());
      lag.oldest_updated_at = row ? st->Int(0) : 0;
      st->Reset();
      return lag;
    });
  }

  Result<std::vector<CollectionInfo>> ListCollections(std::string_view db) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) -> Result<std::vector<CollectionInfo>> {
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st,
          c->Prepare("SELECT collection, count(*) FROM items WHERE db_id=? AND kind=0 AND "
                     "deleted=0 GROUP BY collection ORDER BY collection"));
      st->Bind(1, db_id);
      std::vector<CollectionInfo> out;
      while (true) {
        SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back({st->Text(0), st->Int(1)});
      }
      st->Reset();
      return out;
    });
  }

  Result<ChangePage> ListChanges(std::string_view db, int64_t since, int64_t limit) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    // One read transaction, so the page and last_etag come from the same snapshot.
    SYNCLINE_RETURN_IF_ERROR(r->Exec("BEGIN"));
    Result<ChangePage> page = ReadChanges(r.get(), db_id, since, limit);
    (void)r->Exec("COMMIT");  // read-only: nothing to lose if ending the snapshot fails
    return page;
  }

  Result<std::string> GetConfig(std::string_view db, std::string_view name) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    return SelectConfig(r.get(), db_id, name);
  }

  Result<std::vector<ConfigEntry>> ListConfig(std::string_view db, std::string_view prefix,
                                              std::string_view after, int64_t limit) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        r->Prepare("SELECT name, value FROM config WHERE db_id=? AND name>=? AND name>? "
                   "AND substr(CAST(name AS BLOB), 1, ?)=CAST(? AS BLOB) ORDER BY name LIMIT ?"));
    st->Bind(1, db_id).Bind(2, prefix).Bind(3, after);
    st->Bind(4, static_cast<int64_t>(prefix.size())).Bind(5, prefix).Bind(6, limit);
    std::vector<ConfigEntry> out;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back({st->Text(0), st->Text(1)});
    }
    st->Reset();
    return out;
  }

  // Sync state reads: each on a pooled reader.
  Result<std::optional<ReportRecord>> GetReport(std::string_view db, ReportDirection dir,
                                                const ItemRef& ref) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) {
      return sqlite_sync_state::GetReport(c, id, dir, ref);
    });
  }
  Result<ReportPage> ListReports(std::string_view db, ReportDirection dir, int64_t start,
                                 int64_t limit) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) -> Result<ReportPage> {
      // One snapshot, so the page and the total agree.
      SYNCLINE_RETURN_IF_ERROR(c->Exec("BEGIN"));
      Result<ReportPage> page = sqlite_sync_state::ListReports(c, id, dir, start, limit);
      (void)c->Exec("COMMIT");  // read-only: nothing to lose if ending the snapshot fails
      return page;
    });
  }
  Result<std::optional<ConflictRecord>> GetConflict(std::string_view db,
                                                    const ItemRef& ref) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) {
      return sqlite_sync_state::GetConflict(c, id, ref);
    });
  }
  Result<std::vector<ConflictRecord>> ListConflicts(std::string_view db, const ItemRef* after,
                                                    int64_t limit) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) {
      return sqlite_sync_state::ListConflicts(c, id, after, limit);
    });
  }
  Result<int64_t> GetSourceEtag(std::string_view db, std::string_view node,
                                std::string_view source_db) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) {
      return sqlite_sync_state::GetSourceEtag(c, id, node, source_db);
    });
  }
  Result<std::vector<ItemRef>> GetConfirmations(std::string_view db,
                                                std::string_view url) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) {
      return sqlite_sync_state::GetConfirmations(c, id, url);
    });
  }

  Result<std::unique_ptr<ChunkWriter>> NewChunkWriter(std::string_view db) override;

  Result<bool> HasChunk(std::string_view db, const Sha256Digest& hash) override {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              r->Prepare("SELECT 1 FROM chunks WHERE db_id=? AND hash=?"));
    st->Bind(1, db_id).BindBlob(2, hash.data(), hash.size());
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    st->Reset();
    return row;
  }

  Status ReadChunk(std::string_view db, const Sha256Digest& hash, std::string* out,
                   ChunkCheck check) override {
    // A compaction may move the chunk between the lookup and the read: then the read of the old
    // place fails, and the second lookup finds the new one.
    Status read;
    for (int attempt = 0; attempt < 2; ++attempt) {
      SYNCLINE_ASSIGN_OR_RETURN(auto where, LocateChunk(db, hash));
      auto [db_id, loc] = where;
      read = packs_.Read(db_id, loc, out).WithContext("read chunk " + HexEncode(hash));
      if (read.ok()) break;
    }
    SYNCLINE_RETURN_IF_ERROR(read);
    if (check == ChunkCheck::kVerify && Sha256(*out) != hash) {
      return Status::Corruption("chunk " + HexEncode(hash) + " is damaged");
    }
    return Status::OK();
  }

  // The database's id and where the chunk's bytes are; NotFound if it has no such chunk.
  Result<std::pair<int64_t, PackLocation>> LocateChunk(std::string_view db, const Sha256Digest& hash) {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) -> Result<std::pair<int64_t, PackLocation>> {
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st,
          c->Prepare("SELECT pack, offset, length FROM chunks WHERE db_id=? AND hash=?"));
      st->Bind(1, id).BindBlob(2, hash.data(), hash.size());
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) {
        st->Reset();
        return Status::NotFound("chunk " + HexEncode(hash) + " not found");
      }
      PackLocation loc{st->Int(0), static_cast<uint64_t>(st->Int(1)), static_cast<uint32_t>(st->Int(2))};
      st->Reset();
      return std::pair<int64_t, PackLocation>(id, loc);
    });
  }

  Result<std::unique_ptr<StoreSnapshot>> OpenSnapshot(std::string_view db) override;

  Status PutJob(std::string_view db, const JobRecord& job) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return sqlite_sync_state::PutJob(writer_.get(), db_id, job);
  }
  Result<std::optional<JobRecord>> GetJob(std::string_view db, std::string_view id) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_sync_state::GetJob(c, db_id, id);
    });
  }
  Result<std::vector<FollowerRecord>> ListFollowers(std::string_view db) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_sync_state::ListFollowers(c, db_id);
    });
  }
  Result<std::vector<JobRecord>> ListJobs(std::string_view db, int64_t limit) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_sync_state::ListJobs(c, db_id, limit);
    });
  }

  Status PutClient(std::string_view db, const ClientRecord& client) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return sqlite_clients::PutClient(writer_.get(), db_id, client);
  }
  Result<std::optional<ClientRecord>> GetClient(std::string_view db,
                                                std::string_view client_id) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_clients::GetClient(c, db_id, client_id);
    });
  }
  Result<std::vector<ClientRecord>> ListClients(std::string_view db) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_clients::ListClients(c, db_id);
    });
  }
  Status DeleteClient(std::string_view db, std::string_view client_id) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return InTransaction(
        [&] { return sqlite_clients::DeleteClient(writer_.get(), db_id, client_id); });
  }
  Status PutClientCollection(std::string_view db, const ClientCollectionRecord& c) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return sqlite_clients::PutClientCollection(writer_.get(), db_id, c);
  }
  Result<std::vector<ClientCollectionRecord>> ListClientCollections(
      std::string_view db, std::string_view client_id) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_clients::ListClientCollections(c, db_id, client_id);
    });
  }
  Result<std::vector<Item>> ListCollectionChanges(std::string_view db,
                                                  std::string_view collection, int64_t since,
                                                  int64_t limit) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_clients::ListCollectionChanges(c, db_id, collection, since, limit);
    });
  }
  Result<int64_t> CountCollectionChanges(std::string_view db, std::string_view collection,
                                         int64_t since, int64_t skip_tombstones_until) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_clients::CountCollectionChanges(c, db_id, collection, since,
                                                    skip_tombstones_until);
    });
  }

  Status CreateFieldIndex(std::string_view db, const std::string& collection,
                          const std::string& field) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return InTransaction([&] {
      return sqlite_indexes::CreateIndex(writer_.get(), db_id, collection, field,
                                         env_->clock->NowMicros());
    });
  }
  Status DropFieldIndex(std::string_view db, const std::string& collection,
                        const std::string& field) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return InTransaction(
        [&] { return sqlite_indexes::DropIndex(writer_.get(), db_id, collection, field); });
  }
  Result<std::vector<FieldIndex>> ListFieldIndexes(std::string_view db) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_indexes::ListIndexes(c, db_id);
    });
  }
  Result<std::vector<Item>> FindByField(std::string_view db, const std::string& collection,
                                        const std::string& field, const Json& value,
                                        const std::string& after_key, int64_t limit) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t db_id) {
      return sqlite_indexes::FindByField(c, db_id, collection, field, value, after_key, limit);
    });
  }
  Result<std::string> FieldIndexPlan(std::string_view db, const std::string& field) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t) {
      return sqlite_indexes::FindByFieldPlan(c, field);
    });
  }

  Status CreateUser(const UserRecord& user) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return InTransaction([&] { return sqlite_users::InsertUser(writer_.get(), user); });
  }
  Status UpdateUser(const UserRecord& user) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return InTransaction([&] { return sqlite_users::UpdateUser(writer_.get(), user); });
  }
  Result<std::optional<UserRecord>> GetUser(std::string_view name) override {
    return WithNodeReader([&](SqliteConnection* c) { return sqlite_users::GetUser(c, name); });
  }
  Result<std::vector<UserRecord>> ListUsers() override {
    return WithNodeReader([&](SqliteConnection* c) { return sqlite_users::ListUsers(c); });
  }
  Status DeleteUser(std::string_view name) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return InTransaction([&] { return sqlite_users::DeleteUser(writer_.get(), name); });
  }
  Status PutToken(const TokenRecord& token) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return InTransaction([&] { return sqlite_users::PutToken(writer_.get(), token); });
  }
  Result<std::optional<TokenRecord>> GetToken(std::string_view token_hash) override {
    return WithNodeReader(
        [&](SqliteConnection* c) { return sqlite_users::GetToken(c, token_hash); });
  }
  Status DeleteToken(std::string_view token_hash) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    return sqlite_users::DeleteToken(writer_.get(), token_hash);
  }

  Status StageDocuments(std::string_view db, std::string_view stage,
                        const std::vector<Item>& docs) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return InTransaction([&] { return sqlite_tree::PutStaged(writer_.get(), db_id, stage, docs); });
  }

  Status DropStage(std::string_view db, std::string_view stage) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    return InTransaction([&] { return sqlite_tree::DropStage(writer_.get(), db_id, stage); });
  }

  Result<std::vector<TreeCheck>> CheckTrees(std::string_view db, std::string_view collection,
                                            bool repair) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(writer_.get(), db));
    std::vector<TreeCheck> checks;
    SYNCLINE_RETURN_IF_ERROR(InTransaction([&]() -> Status {
      SYNCLINE_ASSIGN_OR_RETURN(checks,
                                sqlite_tree::Check(writer_.get(), db_id, collection, repair));
      return Status::OK();
    }));
    return checks;
  }

  // Gives back a connection a snapshot borrowed.
  void ReleaseReader(std::unique_ptr<SqliteConnection> conn) {
    std::lock_guard<std::mutex> lock(readers_mu_);
    readers_.push_back(std::move(conn));
  }

  void SetChangeListener(ChangeListener listener) override {
    std::lock_guard<std::mutex> lock(listener_mu_);
    listener_ = std::move(listener);
  }

  // Used by SqliteChunkWriter.
  Status IndexChunks(int64_t db_id, const std::vector<std::pair<Sha256Digest, PackLocation>>& rows) {
    SYNCLINE_RETURN_IF_ERROR(packs_.Sync(db_id));
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      for (const auto& [hash, loc] : rows) {
        SYNCLINE_ASSIGN_OR_RETURN(
            SqliteStatement * st,
            writer_->Prepare("INSERT OR IGNORE INTO chunks VALUES (?,?,?,?,?)"));
        st->Bind(1, db_id).BindBlob(2, hash.data(), hash.size()).Bind(3, loc.pack);
        st->Bind(4, static_cast<int64_t>(loc.offset)).Bind(5, int64_t{loc.length});
        SYNCLINE_RETURN_IF_ERROR(st->Run());
      }
      return writer_->Exec("COMMIT");
    }();
    if (!s.ok()) (void)writer_->Exec("ROLLBACK");  // report the first failure
    return s.WithContext("index chunks");
  }

  Result<int64_t> ResolveForWriter(std::string_view db) {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    return Resolve(r.get(), db);
  }

  PackFiles* packs() { return &packs_; }

  ChunkPins& chunk_pins() override { return pins_; }

  Status ForEachReference(std::string_view db,
                          const std::function<Status(std::string_view)>& on_manifest,
                          const std::function<Status(std::string_view)>& on_conflict_item) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) -> Status {
      SYNCLINE_RETURN_IF_ERROR(c->Exec("BEGIN"));  // one snapshot for both tables
      Status s = [&]() -> Status {
        for (auto [sql, fn] : {std::pair{"SELECT manifest FROM items WHERE db_id=? AND kind=1 "
                                         "AND deleted=0 AND manifest IS NOT NULL",
                                         &on_manifest},
                               std::pair{"SELECT remote_item FROM conflicts WHERE db_id=?",
                                         &on_conflict_item}}) {
          SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(sql));
          st->Bind(1, id);
          while (true) {
            SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
            if (!row) break;
            Status r = (*fn)(st->Blob(0));
            if (!r.ok()) {
              st->Reset();
              return r;
            }
          }
          st->Reset();
        }
        return Status::OK();
      }();
      (void)c->Exec("COMMIT");  // read-only snapshot: nothing to lose if ending it fails
      return s;
    });
  }

  Result<std::vector<PackInfo>> ListPacks(std::string_view db) override {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, ResolveForWriter(db));
    SYNCLINE_ASSIGN_OR_RETURN(auto files, packs_.List(db_id));
    std::vector<PackInfo> out;
    for (const auto& [pack, bytes] : files) out.push_back({pack, bytes, packs_.IsBusy(db_id, pack)});
    return out;
  }

  Result<std::vector<StoredChunk>> ListPackChunks(std::string_view db, int64_t pack) override {
    return WithReader(db, [&](SqliteConnection* c, int64_t id) -> Result<std::vector<StoredChunk>> {
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st, c->Prepare("SELECT hash, length FROM chunks WHERE db_id=? AND pack=?"));
      st->Bind(1, id).Bind(2, pack);
      std::vector<StoredChunk> out;
      while (true) {
        SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        StoredChunk c;
        std::string_view h = st->Blob(0);
        if (h.size() != c.hash.size()) continue;  // not ours to judge here; never collected
        std::copy(h.begin(), h.end(), c.hash.begin());
        c.length = static_cast<uint32_t>(st->Int(1));
        out.push_back(c);
      }
      st->Reset();
      return out;
    });
  }

  Result<uint64_t> CompactPack(std::string_view db, int64_t pack,
                               const std::function<bool(const Sha256Digest&)>& is_live) override;
  // CompactPack's steps: which rows of the pack stay; copying them to the current pack; and
  // moving their rows and forgetting the others, unless a chunk about to go got pinned.
  Status PartitionPack(std::string_view db, int64_t pack,
                       const std::function<bool(const Sha256Digest&)>& is_live,
                       std::vector<std::pair<Sha256Digest, PackLocation>>* keep,
                       std::vector<Sha256Digest>* drop);
  Status CopyChunks(int64_t db_id, const std::vector<std::pair<Sha256Digest, PackLocation>>& keep,
                    std::vector<std::pair<Sha256Digest, PackLocation>>* moved);
  Status CommitCompaction(std::string_view db, int64_t db_id, int64_t pack,
                          const std::vector<std::pair<Sha256Digest, PackLocation>>& moved,
                          const std::vector<Sha256Digest>& drop);

 private:
  // A pooled reader connection, returned to the pool when it goes out of scope.
  class Reader {
   public:
    Reader(SqliteStore* store, std::unique_ptr<SqliteConnection> conn)
        : store_(store), conn_(std::move(conn)) {}
    ~Reader() {
      std::lock_guard<std::mutex> lock(store_->readers_mu_);
      store_->readers_.push_back(std::move(conn_));
    }
    SqliteConnection* get() { return conn_.get(); }
    SqliteConnection* operator->() { return conn_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  std::string path() const { return dir_ + "/syncline.db"; }

  // Runs `fn` in a write transaction of the writer connection: committed if it returns OK,
  // rolled back otherwise. REQUIRES: write_mu_ held.
  template <typename Fn>
  Status InTransaction(Fn fn) {
    SYNCLINE_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = fn();
    if (s.ok()) s = writer_->Exec("COMMIT");
    if (!s.ok()) (void)writer_->Exec("ROLLBACK");  // the first failure is the one reported
    return s;
  }

  // Schema 4 leaves a marker: the document hashes and trees are computed here, in C++.
  Status FinishTreeMigration() {
    std::lock_guard<std::mutex> lock(write_mu_);
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              writer_->Prepare("SELECT 1 FROM node WHERE key='tree_rebuild'"));
    SYNCLINE_ASSIGN_OR_RETURN(bool pending, st->Step());
    st->Reset();
    if (!pending) return Status::OK();
    return InTransaction([&] {
      SYNCLINE_RETURN_IF_ERROR(sqlite_tree::RebuildAll(writer_.get()));
      return writer_->Exec("DELETE FROM node WHERE key='tree_rebuild'");
    });
  }

  // Runs `fn` with a pooled reader and the database's id.
  template <typename Fn>
  auto WithReader(std::string_view db, Fn fn) -> decltype(fn(nullptr, int64_t{0})) {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(r.get(), db));
    return fn(r.get(), db_id);
  }

  // Runs `fn` with a pooled reader, for node-wide tables.
  template <typename Fn>
  auto WithNodeReader(Fn fn) -> decltype(fn(nullptr)) {
    auto conn = AcquireReader();
    if (!conn.ok()) return conn.status();
    Reader r(this, std::move(conn).value());
    return fn(r.get());
  }

  Result<std::unique_ptr<SqliteConnection>> AcquireReader() {
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      if (!readers_.empty()) {
        auto c = std::move(readers_.back());
        readers_.pop_back();
        return c;
      }
    }
    return SqliteConnection::Open(path(), options_.sync_commits, SqliteConnection::kReaderCacheKib);
  }

  static Status NoDatabase(std::string_view name) {
    return Status::NotFound("database '" + std::string(name) + "' not found");
  }

  // Database name to id, cached.
  Result<int64_t> Resolve(SqliteConnection* conn, std::string_view name) {
    {
      std::lock_guard<std::mutex> lock(ids_mu_);
      auto it = ids_.find(std::string(name));
      if (it != ids_.end()) return it->second;
    }
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              conn->Prepare("SELECT id FROM databases WHERE name=?"));
    st->Bind(1, name);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NoDatabase(name);
    }
    int64_t id = st->Int(0);
    st->Reset();
    std::lock_guard<std::mutex> lock(ids_mu_);
    ids_[std::string(name)] = id;
    return id;
  }

  // REQUIRES: write_mu_ held.
  Result<int64_t> LastEtagLocked(int64_t db_id) {
    auto it = last_etags_.find(db_id);
    if (it != last_etags_.end()) return it->second;
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              writer_->Prepare("SELECT last_etag FROM databases WHERE id=?"));
    st->Bind(1, db_id);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    int64_t etag = row ? st->Int(0) : 0;
    st->Reset();
    last_etags_[db_id] = etag;
    return etag;
  }

  Result<ChangePage> ReadChanges(SqliteConnection* conn, int64_t db_id, int64_t since,
                                 int64_t limit) {
    ChangePage page;
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn->Prepare("SELECT etag, kind, collection, key, deleted FROM items "
                      "WHERE db_id=? AND etag>? ORDER BY etag LIMIT ?"));
    st->Bind(1, db_id).Bind(2, since).Bind(3, limit);
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      page.changes.push_back({st->Int(0), static_cast<ItemKind>(st->Int(1)), st->Text(2),
                              st->Text(3), st->Int(4) != 0});
    }
    st->Reset();
    if (!page.changes.empty()) {
      page.last_etag = page.changes.back().etag;
      return page;
    }
    SYNCLINE_ASSIGN_OR_RETURN(st, conn->Prepare("SELECT last_etag FROM databases WHERE id=?"));
    st->Bind(1, db_id);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    page.last_etag = row ? st->Int(0) : 0;
    st->Reset();
    return page;
  }

  void NotifyChange(const Commit& commit) {
    std::lock_guard<std::mutex> lock(listener_mu_);
    if (listener_) listener_(commit);
  }

  Env* const env_;
  const std::string dir_;
  const SqliteStoreOptions options_;
  PackFiles packs_;
  std::string node_id_;

  std::mutex write_mu_;  // serializes writers
  std::unique_ptr<SqliteConnection> writer_;  // GUARDED_BY(write_mu_)
  std::unique_ptr<WalCheckpointer> checkpointer_;  // before writer_ goes: it hooks writer_
  std::map<int64_t, int64_t> last_etags_;     // GUARDED_BY(write_mu_)

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;  // GUARDED_BY(readers_mu_)

  std::mutex ids_mu_;
  std::map<std::string, int64_t> ids_;  // GUARDED_BY(ids_mu_)

  std::mutex listener_mu_;
  ChangeListener listener_;  // GUARDED_BY(listener_mu_)

  ChunkPins pins_;
};

// A read transaction held open on a connection of its own.
class SqliteSnapshot : public StoreSnapshot {
 public:
  SqliteSnapshot(SqliteStore* store, std::unique_ptr<SqliteConnection> conn, int64_t db_id)
      : store_(store), conn_(std::move(conn)), db_id_(db_id) {}
  ~SqliteSnapshot() override {
    (void)conn_->Exec("COMMIT");  // read-only: ending it cannot lose anything
    store_->ReleaseReader(std::move(conn_));
  }

  // Starts the read transaction and reads the etag it sees.
  Status Begin() {
    SYNCLINE_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              conn_->Prepare("SELECT last_etag FROM databases WHERE id=?"));
    st->Bind(1, db_id_);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    etag_ = row ? st->Int(0) : 0;
    st->Reset();
    if (!row) return Status::NotFound("database was removed");
    return Status::OK();
  }

  int64_t etag() const override { return etag_; }

  Result<bool> HasCollection(std::string_view collection) override {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare("SELECT 1 FROM items WHERE db_id=? AND kind=0 AND collection=? LIMIT 1"));
    st->Bind(1, db_id_).Bind(2, collection);
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    st->Reset();
    return row;
  }

  Result<TreeSum> TreeRoot(std::string_view collection) override {
    return sqlite_tree::ReadRoot(conn_.get(), db_id_, collection);
  }
  Result<std::vector<TreeSum>> TreeChildren(std::string_view collection, TreeNode node) override {
    return sqlite_tree::ReadChildren(conn_.get(), db_id_, collection, node);
  }
  Result<std::vector<TreeEntry>> TreeEntries(std::string_view collection, TreeNode node) override {
    return sqlite_tree::ReadEntries(conn_.get(), db_id_, collection, node);
  }
  Result<std::vector<TreeEntry>> EntriesBetween(std::string_view collection,
                                                std::string_view after, std::string_view through,
                                                int64_t limit) override {
    return sqlite_tree::ReadEntriesBetween(conn_.get(), db_id_, collection, after, through, limit);
  }

  Result<std::vector<Item>> DocumentsAfter(std::string_view collection, std::string_view after,
                                           int64_t limit) override {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        conn_->Prepare(std::string("SELECT ") + kItemColumns +
                       " FROM items WHERE db_id=? AND kind=0 AND collection=? AND key>? "
                       "AND deleted=0 ORDER BY key LIMIT ?"));
    st->Bind(1, db_id_).Bind(2, collection).Bind(3, after).Bind(4, limit);
    std::vector<Item> out;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadItem(*st));
    }
    st->Reset();
    return out;
  }

  Result<std::vector<Item>> Documents(std::string_view collection,
                                      const std::vector<std::string>& keys) override {
    std::vector<std::string> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<Item> out;
    for (const std::string& key : sorted) {
      Result<Item> item = SelectItem(conn_.get(), db_id_, ItemKind::kDocument, collection, key);
      if (!item.ok() && item.status().IsNotFound()) continue;
      if (!item.ok()) return item.status();
      if (!item->deleted) out.push_back(std::move(item).value());
    }
    return out;
  }

 private:
  SqliteStore* store_;
  std::unique_ptr<SqliteConnection> conn_;
  int64_t db_id_;
  int64_t etag_ = 0;
};

Result<std::unique_ptr<StoreSnapshot>> SqliteStore::OpenSnapshot(std::string_view db) {
  SYNCLINE_ASSIGN_OR_RETURN(auto conn, AcquireReader());
  SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, Resolve(conn.get(), db));
  auto snapshot = std::make_unique<SqliteSnapshot>(this, std::move(conn), db_id);
  SYNCLINE_RETURN_IF_ERROR(snapshot->Begin());
  return std::unique_ptr<StoreSnapshot>(std::move(snapshot));
}

// Appends chunk bytes to packs at once and indexes them on Flush. Skips chunks the database
// already has, and duplicates inside one upload.
class SqliteChunkWriter : public ChunkWriter {
 public:
  SqliteChunkWriter(SqliteStore* store, std::string db, int64_t db_id)
      : store_(store), db_(db), db_id_(db_id), pinned_(&store->chunk_pins(), std::move(db)) {}

  ~SqliteChunkWriter() override {
    // Appended but never indexed (the upload failed): those bytes are garbage now.
    for (const auto& [hash, loc] : pending_) store_->packs()->Settled(db_id_, loc.pack);
  }

  Status Add(const Sha256Digest& hash, std::string_view data) override {
    if (seen_.count(hash)) return Status::OK();
    // Pinned before looking: a collection either sees the pin and keeps the chunk, or removed
    // it before, and then it is written again here.
    pinned_.Add(hash);
    SYNCLINE_ASSIGN_OR_RETURN(bool has, store_->HasChunk(db_, hash));
    if (has) {
      seen_.insert(hash);
      return Status::OK();
    }
    SYNCLINE_ASSIGN_OR_RETURN(PackLocation loc, store_->packs()->Append(db_id_, data));
    seen_.insert(hash);
    pending_.emplace_back(hash, loc);
    return Status::OK();
  }

  Status Flush() override {
    if (pending_.empty()) return Status::OK();
    SYNCLINE_RETURN_IF_ERROR(store_->IndexChunks(db_id_, pending_));
    for (const auto& [hash, loc] : pending_) store_->packs()->Settled(db_id_, loc.pack);
    pending_.clear();
    return Status::OK();
  }

 private:
  struct DigestHash {
    size_t operator()(const Sha256Digest& d) const {
      size_t h;
      std::memcpy(&h, d.data(), sizeof h);  // already uniformly random
      return h;
    }
  };

  SqliteStore* store_;
  std::string db_;
  int64_t db_id_;
  std::unordered_set<Sha256Digest, DigestHash> seen_;
  std::vector<std::pair<Sha256Digest, PackLocation>> pending_;
  PinnedChunks pinned_;  // every chunk this upload names, until it is gone
};

Status SqliteStore::PartitionPack(std::string_view db, int64_t pack,
                                  const std::function<bool(const Sha256Digest&)>& is_live,
                                  std::vector<std::pair<Sha256Digest, PackLocation>>* keep,
                                  std::vector<Sha256Digest>* drop) {
  return WithReader(db, [&](SqliteConnection* c, int64_t id) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c->Prepare("SELECT hash, offset, length FROM chunks WHERE db_id=? AND pack=?"));
    st->Bind(1, id).Bind(2, pack);
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Sha256Digest h{};
      std::string_view b = st->Blob(0);
      std::copy_n(b.begin(), std::min(b.size(), h.size()), h.begin());
      PackLocation loc{pack, static_cast<uint64_t>(st->Int(1)), static_cast<uint32_t>(st->Int(2))};
      bool pinned;
      {
        std::lock_guard<std::mutex> lock(pins_.mu());
        pinned = pins_.IsProtectedLocked(std::string(db), h);
      }
      if (b.size() != h.size() || is_live(h) || pinned) {
        keep->emplace_back(h, loc);
      } else {
        drop->push_back(h);
      }
    }
    st->Reset();
    return Status::OK();
  });
}

Status SqliteStore::CopyChunks(int64_t db_id,
                               const std::vector<std::pair<Sha256Digest, PackLocation>>& keep,
                               std::vector<std::pair<Sha256Digest, PackLocation>>* moved) {
  std::string buf;
  for (const auto& [h, loc] : keep) {
    SYNCLINE_RETURN_IF_ERROR(packs_.Read(db_id, loc, &buf));
    if (Sha256(buf) != h) return Status::Corruption("chunk " + HexEncode(h) + " is damaged");
    SYNCLINE_ASSIGN_OR_RETURN(PackLocation to, packs_.Append(db_id, buf));
    moved->emplace_back(h, to);
  }
  return packs_.Sync(db_id);
}

Status SqliteStore::CommitCompaction(std::string_view db, int64_t db_id, int64_t pack,
                                     const std::vector<std::pair<Sha256Digest, PackLocation>>& moved,
                                     const std::vector<Sha256Digest>& drop) {
  // Holding the pins' lock: no chunk about to go can be pinned until the rows are gone.
  std::lock_guard<std::mutex> pins_lock(pins_.mu());
  for (const auto& h : drop) {
    if (pins_.IsProtectedLocked(std::string(db), h)) {
      return Status::Unavailable("a chunk of the pack was pinned meanwhile");
    }
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  SYNCLINE_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    for (const auto& [h, loc] : moved) {
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st,
          writer_->Prepare("UPDATE chunks SET pack=?, offset=? WHERE db_id=? AND hash=? AND pack=?"));
      st->Bind(1, loc.pack).Bind(2, static_cast<int64_t>(loc.offset)).Bind(3, db_id);
      SYNCLINE_RETURN_IF_ERROR(st->BindBlob(4, h.data(), h.size()).Bind(5, pack).Run());
    }
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              writer_->Prepare("DELETE FROM chunks WHERE db_id=? AND pack=?"));
    SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Bind(2, pack).Run());
    return writer_->Exec("COMMIT");
  }();
  if (!s.ok()) (void)writer_->Exec("ROLLBACK");  // the first failure is the one reported
  return s;
}

Result<uint64_t> SqliteStore::CompactPack(std::string_view db, int64_t pack,
                                          const std::function<bool(const Sha256Digest&)>& is_live) {
  SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, ResolveForWriter(db));
  if (!packs_.Seal(db_id, pack)) return Status::Unavailable("pack is being written");
  SYNCLINE_ASSIGN_OR_RETURN(auto files, packs_.List(db_id));
  uint64_t file_bytes = 0;
  for (const auto& [n, bytes] : files) {
    if (n == pack) file_bytes = bytes;
  }
  std::vector<std::pair<Sha256Digest, PackLocation>> keep, moved;
  std::vector<Sha256Digest> drop;
  SYNCLINE_RETURN_IF_ERROR(PartitionPack(db, pack, is_live, &keep, &drop));
  // What stays is copied, durably, before any row moves.
  Status s = CopyChunks(db_id, keep, &moved);
  if (s.ok()) s = CommitCompaction(db, db_id, pack, moved, drop);
  // The copies are indexed now, or garbage if something failed.
  for (const auto& [h, loc] : moved) packs_.Settled(db_id, loc.pack);
  if (!s.ok()) return s.WithContext("compact pack " + std::to_string(pack));
  // Last: no row points into the old pack any more.
  SYNCLINE_RETURN_IF_ERROR(packs_.Delete(db_id, pack));
  return file_bytes;
}

Result<std::unique_ptr<ChunkWriter>> SqliteStore::NewChunkWriter(std::string_view db) {
  SYNCLINE_ASSIGN_OR_RETURN(int64_t db_id, ResolveForWriter(db));
  return std::unique_ptr<ChunkWriter>(new SqliteChunkWriter(this, std::string(db), db_id));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& dir, Env* env,
                                               const SqliteStoreOptions& options) {
  auto store = std::make_unique<SqliteStore>(env, dir, options);
  SYNCLINE_RETURN_IF_ERROR(store->Open().WithContext("open store in " + dir));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace syncline
