// Thin RAII wrappers over one SQLite connection and its prepared statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

// A prepared statement bound and stepped in place; Reset() readies it for reuse.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Binds by 1-based index. Text and blobs are copied by SQLite.
  SqliteStatement& Bind(int i, int64_t v);
  SqliteStatement& Bind(int i, std::string_view text);
  SqliteStatement& BindBlob(int i, std::string_view bytes);
  SqliteStatement& BindBlob(int i, const void* data, size_t n);
  SqliteStatement& BindNull(int i);

  // Steps once: true if a row is ready, false when done; error as Status.
  Result<bool> Step();
  // Steps to completion, expecting no rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const;
  std::string_view Blob(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // How many times SQLite re-prepared it (a schema change, or a binding the plan depends on).
  int Reprepares() const { return sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_REPREPARE, 0); }

 private:
  sqlite3_stmt* stmt_;
};

// One connection with a cache of prepared statements. Not thread-safe: callers serialize use.
class SqliteConnection {
 public:
  // `cache_kib`: the connection's own page cache. Readers keep a small one: each has its own,
  // and the pages they share are in the OS's page cache anyway.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool sync_full,
                                                         int cache_kib = kWriterCacheKib);
  static constexpr int kWriterCacheKib = 16 * 1024;
  static constexpr int kReaderCacheKib = 4 * 1024;
  ~SqliteConnection();

  // Executes one or more statements with no result rows.
  Status Exec(std::string_view sql);
  // A cached statement for `sql`, reset and ready to bind. Owned by the connection.
  Result<SqliteStatement*> Prepare(const std::string& sql);
  sqlite3* handle() { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

// Maps an SQLite result code to a Status with `context`.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace syncline
