// SQLite connection and statement wrappers.
#include "store/sqlite/sqlite_db.h"

#include <mutex>

namespace syncline {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string m(context);
  m += ": ";
  m += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(m);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(m);
    case SQLITE_CONSTRAINT:
      return Status::AlreadyExists(m);
    case SQLITE_TOOBIG:
      return Status::TooLarge(m);
    default:
      return Status::IOError(m);
  }
}

SqliteStatement& SqliteStatement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
SqliteStatement& SqliteStatement::Bind(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
SqliteStatement& SqliteStatement::BindBlob(int i, std::string_view bytes) {
  return BindBlob(i, bytes.data(), bytes.size());
}
SqliteStatement& SqliteStatement::BindBlob(int i, const void* data, size_t n) {
  // A zero-length blob must not bind as NULL.
  static const char kEmpty = 0;
  sqlite3_bind_blob64(stmt_, i, n ? data : &kEmpty, n, SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt_), rc, "step");
}

Status SqliteStatement::Run() {
  Result<bool> r = Step();
  Reset();
  return r.status();
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::string_view SqliteStatement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 bool sync_full, int cache_kib) {
  // SQLite counts every allocation for sqlite3_memory_used() under a global mutex unless told
  // not to; nothing here reads those counts. Must run before SQLite initializes.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_busy_timeout(db, 10000);
  // WAL lets readers run beside the one writer. synchronous=FULL syncs the WAL on every commit,
  // so an acknowledged write survives power loss, not only a process crash.
  SYNCLINE_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL"));
  SYNCLINE_RETURN_IF_ERROR(
      conn->Exec(sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  SYNCLINE_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-" + std::to_string(cache_kib)));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

Status SqliteConnection::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string m = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(nullptr, rc, "exec: " + m);
  }
  return Status::OK();
}

Result<SqliteStatement*> SqliteConnection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  auto [pos, inserted] = cache_.emplace(sql, std::make_unique<SqliteStatement>(stmt));
  return pos->second.get();
}

}  // namespace syncline
