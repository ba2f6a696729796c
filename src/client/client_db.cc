// The client's SQLite file. Documents are stored as JSON text; each outbox row is one change of
// one document, the oldest row of a document first in line (rows behind it wait for its answer).
#include "client/client_db.h"

#include <algorithm>
#include <cstdio>

#include "client/outbox_rules.h"
#include "store/sqlite/sqlite_db.h"
#include "sync/filter.h"
#include "util/json_reader.h"
#include "util/name.h"
#include "util/sha256.h"

namespace syncline {
namespace {

constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs(
  collection TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
  etag INTEGER NOT NULL,  -- the server etag the local document is based on; 0: never on the server
  PRIMARY KEY (collection, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id TEXT NOT NULL UNIQUE,
  collection TEXT NOT NULL, key TEXT NOT NULL,
  op TEXT NOT NULL,            -- create, update, delete
  base_etag INTEGER NOT NULL,  -- -1 until the row before it is answered
  body TEXT,                   -- create and update
  state TEXT NOT NULL,         -- pending, sent, failed
  error TEXT,                  -- failed: {"error","code","message","attributes","server_etag"}
  not_before INTEGER NOT NULL DEFAULT 0,  -- the sync number from which it may be sent
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_by_doc ON outbox(collection, key, seq);
CREATE TABLE IF NOT EXISTS cursors(
  collection TEXT PRIMARY KEY, cursor TEXT NOT NULL, schema_version INTEGER NOT NULL,
  synced_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_log(id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);
)sql";

constexpr int64_t kMaxLogRows = 10000;

}  // namespace

namespace {

std::string ErrorJson(const PendingOperation& op) {
  if (op.state != "failed") return "";
  Json e = {{"error", op.error}, {"code", op.code}, {"message", op.message},
            {"server_etag", op.server_etag}};
  e["attributes"] = op.attributes ? *op.attributes : Json(nullptr);
  return DumpJson(e);
}

}  // namespace

Result<FailureAction> ParseFailureAction(const std::string& text) {
  if (text == "none") return FailureAction::kNone;
  if (text == "delete") return FailureAction::kDelete;
  if (text == "recreate") return FailureAction::kRecreate;
  if (text == "retry") return FailureAction::kRetry;
  if (text == "rollback") return FailureAction::kRollback;
  return Status::InvalidArgument("unknown action '" + text +
                                 "': use delete, recreate, retry or rollback");
}

ClientDb::ClientDb(std::unique_ptr<SqliteConnection> conn, std::unique_ptr<FileLock> lock,
                   Env* env)
    : conn_(std::move(conn)), lock_(std::move(lock)), env_(env) {}

ClientDb::~ClientDb() = default;

Result<std::unique_ptr<ClientDb>> ClientDb::Open(const std::string& path, Env* env) {
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, env->fs->LockFile(path + ".lock"));
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                            SqliteConnection::Open(path, /*sync_full=*/true));
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * v, conn->Prepare("PRAGMA user_version"));
  SYNCLINE_ASSIGN_OR_RETURN(bool has, v->Step());
  int64_t version = has ? v->Int(0) : 0;
  v->Reset();
  if (version > kSchemaVersion) {
    return Status::InvalidArgument("offline store " + path + " was made by a newer Syncline");
  }
  SYNCLINE_RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE"));
  Status s = conn->Exec(kSchema);
  if (s.ok()) s = conn->Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  if (s.ok()) s = conn->Exec("COMMIT");
  if (!s.ok()) {
    (void)conn->Exec("ROLLBACK");
    return s.WithContext("offline store " + path);
  }
  return std::unique_ptr<ClientDb>(new ClientDb(std::move(conn), std::move(lock), env));
}

// Time-ordered (microseconds, then 64 random bits), so the server's record of a client's
// operations grows at its end instead of at random places in its B-tree.
std::string ClientDb::NewOpId() {
  char random[8];
  env_->random->Fill(random, sizeof random);
  char time[17];
  std::snprintf(time, sizeof time, "%016llx",
                static_cast<unsigned long long>(env_->clock->NowMicros()));
  return std::string(time) + HexEncode(random, sizeof random);
}

// ---- rows and documents (callers hold mu_) ----

Status ClientDb::ReadRow(SqliteStatement* st, Row* row) {
  row->seq = st->Int(0);
  PendingOperation& op = row->op;
  op.op_id = st->Text(1);
  op.collection = st->Text(2);
  op.key = st->Text(3);
  op.op = st->Text(4);
  op.base_etag = st->Int(5);
  op.document.reset();
  if (!st->IsNull(6)) op.document = ParseStoredJson(st->Text(6));
  op.state = st->Text(7);
  op.error.clear();
  op.code.clear();
  op.message.clear();
  op.attributes.reset();
  op.server_etag = 0;
  if (!st->IsNull(8)) {
    Json e = ParseStoredJson(st->Text(8));
    op.error = JsonText(e, "error");
    op.code = JsonText(e, "code");
    op.message = JsonText(e, "message");
    op.server_etag = JsonNumber(e, "server_etag");
    const Json& attrs = JsonField(e, "attributes");
    if (attrs.is_object()) op.attributes = attrs;
  }
  row->not_before = st->Int(9);
  op.created_at = st->Int(10);
  op.seq = row->seq;
  return Status::OK();
}

Result<std::vector<ClientDb::Row>> ClientDb::ReadRows(SqliteStatement* st) {
  std::vector<Row> rows;
  while (true) {
    Result<bool> has = st->Step();
    if (!has.ok() || !*has) {
      st->Reset();
      if (!has.ok()) return has.status();
      return rows;
    }
    Row row;
    SYNCLINE_RETURN_IF_ERROR(ReadRow(st, &row));
    rows.push_back(std::move(row));
  }
}

Result<std::optional<ClientDb::Row>> ClientDb::ReadFirstRow(SqliteStatement* st) {
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Row> rows, ReadRows(st));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<std::optional<ClientDb::Row>> ClientDb::LastRow(const std::string& collection,
                                                       const std::string& key) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare(std::string("SELECT ") + kRowColumns +
                     " FROM outbox WHERE collection=? AND key=? ORDER BY seq DESC LIMIT 1"));
  st->Bind(1, collection).Bind(2, key);
  return ReadFirstRow(st);
}

Result<std::optional<ClientDb::Row>> ClientDb::FirstRow(const std::string& collection,
                                                        const std::string& key) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare(std::string("SELECT ") + kRowColumns +
                     " FROM outbox WHERE collection=? AND key=? ORDER BY seq LIMIT 1"));
  st->Bind(1, collection).Bind(2, key);
  return ReadFirstRow(st);
}

Result<std::optional<std::pair<Json, int64_t>>> ClientDb::LoadDoc(const std::string& collection,
                                                                  const std::string& key) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT body, etag FROM docs WHERE collection=? AND key=?"));
  st->Bind(1, collection).Bind(2, key);
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  std::optional<std::pair<Json, int64_t>> doc;
  if (has) doc.emplace(ParseStoredJson(st->Text(0)), st->Int(1));
  st->Reset();
  return doc;
}

Status ClientDb::StoreDoc(const std::string& collection, const std::string& key, const Json* doc,
                          int64_t etag) {
  if (doc == nullptr) {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                              conn_->Prepare("DELETE FROM docs WHERE collection=? AND key=?"));
    return st->Bind(1, collection).Bind(2, key).Run();
  }
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("INSERT INTO docs(collection, key, body, etag) VALUES(?,?,?,?) "
                     "ON CONFLICT(collection, key) DO UPDATE SET body=excluded.body, "
                     "etag=excluded.etag"));
  return st->Bind(1, collection).Bind(2, key).Bind(3, DumpJson(*doc)).Bind(4, etag).Run();
}

Status ClientDb::InsertRow(const Row& row) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("INSERT INTO outbox(op_id, collection, key, op, base_etag, body, state, "
                     "error, not_before, created_at) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  const PendingOperation& op = row.op;
  st->Bind(1, op.op_id).Bind(2, op.collection).Bind(3, op.key).Bind(4, op.op);
  st->Bind(5, op.base_etag);
  if (op.document) {
    st->Bind(6, DumpJson(*op.document));
  } else {
    st->BindNull(6);
  }
  st->Bind(7, op.state);
  std::string error = ErrorJson(op);
  if (error.empty()) {
    st->BindNull(8);
  } else {
    st->Bind(8, error);
  }
  st->Bind(9, row.not_before).Bind(10, op.created_at);
  return st->Run();
}

Status ClientDb::UpdateRow(const Row& row) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("UPDATE outbox SET op_id=?, op=?, base_etag=?, body=?, state=?, error=?, "
                     "not_before=? WHERE seq=?"));
  const PendingOperation& op = row.op;
  st->Bind(1, op.op_id).Bind(2, op.op).Bind(3, op.base_etag);
  if (op.document) {
    st->Bind(4, DumpJson(*op.document));
  } else {
    st->BindNull(4);
  }
  st->Bind(5, op.state);
  std::string error = ErrorJson(op);
  if (error.empty()) {
    st->BindNull(6);
  } else {
    st->Bind(6, error);
  }
  st->Bind(7, row.not_before).Bind(8, row.seq);
  return st->Run();
}

Status ClientDb::DeleteRow(int64_t seq) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("DELETE FROM outbox WHERE seq=?"));
  return st->Bind(1, seq).Run();
}

// ---- the local API ----

Status ClientDb::PutLocked(const std::string& collection, const std::string& key,
                           const Json* doc) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> last, LastRow(collection, key));
  SYNCLINE_ASSIGN_OR_RETURN(auto current, LoadDoc(collection, key));
  std::optional<OutboxRowView> view;
  if (last) view = OutboxRowView{last->op.op, last->op.state};
  int64_t etag = current ? current->second : 0;
  CoalesceStep step = Coalesce(view, doc ? LocalWrite::kPut : LocalWrite::kRemove,
                               current.has_value(), etag);
  using K = CoalesceStep::Kind;
  switch (step.kind) {
    case K::kNotFound:
      return Status::NotFound("no document '" + key + "' in collection '" + collection + "'");
    case K::kNothing:
      break;
    case K::kInsert: {
      Row row;
      row.op.op_id = NewOpId();
      row.op.collection = collection;
      row.op.key = key;
      row.op.op = step.op;
      row.op.base_etag = step.base_etag;
      if (doc) row.op.document = *doc;
      row.op.state = "pending";
      row.op.created_at = env_->clock->NowMicros();
      SYNCLINE_RETURN_IF_ERROR(InsertRow(row));
      break;
    }
    case K::kRewrite: {
      Row row = std::move(*last);
      row.op.op_id = NewOpId();
      row.op.op = step.op;
      row.op.document = doc ? std::optional<Json>(*doc) : std::nullopt;
      row.op.state = "pending";
      row.not_before = 0;
      SYNCLINE_RETURN_IF_ERROR(UpdateRow(row));
      break;
    }
    case K::kDrop:
      SYNCLINE_RETURN_IF_ERROR(DeleteRow(last->seq));
      break;
  }
  return StoreDoc(collection, key, doc, etag);
}

namespace {

// The server's own rules: a name it would refuse must not wait in the outbox, where its
// batch would be refused whole at every sync.
Status CheckNames(const std::string& collection, const std::string& key) {
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(collection));
  return ValidateItemName(key, "key");
}

}  // namespace

Status ClientDb::Put(const std::string& collection, const std::string& key, const Json& doc) {
  SYNCLINE_RETURN_IF_ERROR(CheckNames(collection, key));
  if (!doc.is_object()) return Status::InvalidArgument("a document must be a JSON object");
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  SYNCLINE_RETURN_IF_ERROR(PutLocked(collection, key, &doc));
  return txn.Commit();
}

Status ClientDb::PutMany(const std::string& collection,
                         const std::vector<std::pair<std::string, Json>>& docs) {
  for (const auto& [key, doc] : docs) {
    SYNCLINE_RETURN_IF_ERROR(CheckNames(collection, key));
    if (!doc.is_object()) {
      return Status::InvalidArgument("document '" + key + "' is not a JSON object");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  for (const auto& [key, doc] : docs) SYNCLINE_RETURN_IF_ERROR(PutLocked(collection, key, &doc));
  return txn.Commit();
}

Status ClientDb::Remove(const std::string& collection, const std::string& key) {
  SYNCLINE_RETURN_IF_ERROR(CheckNames(collection, key));
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  SYNCLINE_RETURN_IF_ERROR(PutLocked(collection, key, nullptr));
  return txn.Commit();
}

Result<Json> ClientDb::Get(const std::string& collection, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(auto doc, LoadDoc(collection, key));
  if (!doc) return Status::NotFound("no document '" + key + "' in collection '" + collection + "'");
  return std::move(doc->first);
}

Result<std::vector<std::pair<std::string, Json>>> ClientDb::Find(const std::string& collection,
                                                                 const Json& filter, size_t limit,
                                                                 const std::string& after_key) {
  std::optional<Filter> f;
  if (!filter.is_null()) {
    SYNCLINE_ASSIGN_OR_RETURN(Filter parsed, Filter::Parse(filter));
    f = std::move(parsed);
  }
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT key, body FROM docs WHERE collection=? AND key>? ORDER BY key"));
  st->Bind(1, collection).Bind(2, after_key);
  std::vector<std::pair<std::string, Json>> out;
  while (limit == 0 || out.size() < limit) {
    Result<bool> has = st->Step();
    if (!has.ok()) {
      st->Reset();
      return has.status();
    }
    if (!*has) break;
    Json doc = ParseStoredJson(st->Text(1));
    if (!f || f->Matches(doc)) out.emplace_back(st->Text(0), std::move(doc));
  }
  st->Reset();
  return out;
}

Result<int64_t> ClientDb::Count(const std::string& collection) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("SELECT COUNT(*) FROM docs WHERE collection=?"));
  st->Bind(1, collection);
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  int64_t n = has ? st->Int(0) : 0;
  st->Reset();
  return n;
}

Result<std::vector<std::string>> ClientDb::Collections() {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT DISTINCT collection FROM docs UNION "
                     "SELECT DISTINCT collection FROM outbox ORDER BY 1"));
  std::vector<std::string> out;
  while (true) {
    Result<bool> has = st->Step();
    if (!has.ok() || !*has) {
      st->Reset();
      if (!has.ok()) return has.status();
      break;
    }
    out.push_back(st->Text(0));
  }
  return out;
}

Result<bool> ClientDb::IsPending(const std::string& collection, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Row> row, FirstRow(collection, key));
  return row.has_value();
}

Result<std::vector<PendingOperation>> ClientDb::Pending(const std::string& collection) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare(std::string("SELECT ") + kRowColumns +
                     " FROM outbox WHERE ?='' OR collection=? ORDER BY seq"));
  st->Bind(1, collection).Bind(2, collection);
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Row> rows, ReadRows(st));
  std::vector<PendingOperation> out;
  out.reserve(rows.size());
  for (Row& row : rows) out.push_back(std::move(row.op));
  return out;
}

Result<int64_t> ClientDb::CountPending(const std::string& collection) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("SELECT count(*) FROM outbox WHERE collection=?"));
  st->Bind(1, collection);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t n = row ? st->Int(0) : 0;
  st->Reset();
  return n;
}

// ---- settings, cursors, the log ----

Result<std::string> ClientDb::GetSetting(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("SELECT value FROM settings WHERE name=?"));
  st->Bind(1, name);
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  std::string value = has ? st->Text(0) : "";
  st->Reset();
  return value;
}

Status ClientDb::SetSetting(const std::string& name, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("INSERT INTO settings(name, value) VALUES(?,?) "
                     "ON CONFLICT(name) DO UPDATE SET value=excluded.value"));
  return st->Bind(1, name).Bind(2, value).Run();
}

Result<CursorState> ClientDb::GetCursor(const std::string& collection) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT cursor, schema_version, synced_at FROM cursors WHERE collection=?"));
  st->Bind(1, collection);
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  CursorState c;
  if (has) c = CursorState{st->Text(0), st->Int(1), st->Int(2)};
  st->Reset();
  return c;
}

Status ClientDb::ResetSyncState() {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(conn_.get());
  SYNCLINE_RETURN_IF_ERROR(txn.Begin());
  SYNCLINE_RETURN_IF_ERROR(conn_->Exec(
      "DELETE FROM cursors; DELETE FROM settings WHERE name='client_id';"
      "DELETE FROM docs WHERE NOT EXISTS (SELECT 1 FROM outbox o "
      "WHERE o.collection=docs.collection AND o.key=docs.key)"));
  return txn.Commit();
}

Result<int64_t> ClientDb::BeginSync() {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("INSERT INTO settings(name, value) VALUES('sync_number', '1') "
                     "ON CONFLICT(name) DO UPDATE SET value=CAST(value AS INTEGER)+1 "
                     "RETURNING CAST(value AS INTEGER)"));
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  int64_t n = has ? st->Int(0) : 1;
  st->Reset();
  return n;
}

Status ClientDb::AppendLog(const Json& event) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            conn_->Prepare("INSERT INTO sync_log(event) VALUES(?) RETURNING id"));
  st->Bind(1, DumpJson(event));
  SYNCLINE_ASSIGN_OR_RETURN(bool has, st->Step());
  int64_t id = has ? st->Int(0) : 0;
  st->Reset();
  if (id % 1000 == 0) {  // trim now and then, not on every event
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * trim,
                              conn_->Prepare("DELETE FROM sync_log WHERE id <= ?"));
    SYNCLINE_RETURN_IF_ERROR(trim->Bind(1, id - kMaxLogRows).Run());
  }
  return Status::OK();
}

Result<std::vector<Json>> ClientDb::Logs(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      conn_->Prepare("SELECT event FROM (SELECT id, event FROM sync_log ORDER BY id DESC LIMIT ?) "
                     "ORDER BY id"));
  st->Bind(1, static_cast<int64_t>(limit == 0 ? kMaxLogRows : limit));
  std::vector<Json> out;
  while (true) {
    Result<bool> has = st->Step();
    if (!has.ok() || !*has) {
      st->Reset();
      if (!has.ok()) return has.status();
      break;
    }
    out.push_back(ParseStoredJson(st->Text(0)));
  }
  return out;
}

}  // namespace syncline
