// WalCheckpointer: copies the WAL back into the database file on a thread of its own, so a
// commit only appends to the WAL and syncs it. SQLite's default checkpoints inside the commit
// that crosses 1,000 WAL pages, with a sync of the database file: most of a small push's time
// (1,000 scattered updates: 46% of the server's samples) and 11% of a bulk one's. Litestream
// takes checkpoints out of the write path the same way.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_db.h"

namespace syncline {

class WalCheckpointer {
 public:
  // The WAL size, in pages, that wakes the thread; and the size at which the committing
  // writer checkpoints itself (the thread is not keeping up, or readers hold old snapshots).
  static constexpr int kWakePages = 4096;
  static constexpr int kInlinePages = 65536;

  // Opens its own connection to `path` and takes over `writer`'s WAL hook (replacing SQLite's
  // autocheckpoint). REQUIRES: `writer` outlives this object.
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                        SqliteConnection* writer);
  // Gives the hook back to SQLite's autocheckpoint and stops the thread.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints done by the thread (for tests).
  int64_t TEST_checkpoints();

 private:
  WalCheckpointer(std::unique_ptr<SqliteConnection> conn, SqliteConnection* writer)
      : conn_(std::move(conn)), writer_(writer) {}
  // sqlite3_wal_hook: called by the writer after each commit with the WAL's size.
  static int OnCommit(void* self, sqlite3* db, const char* name, int pages);
  void Run();

  std::unique_ptr<SqliteConnection> conn_;  // used by the thread only
  SqliteConnection* writer_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;   // GUARDED_BY(mu_)
  bool stop_ = false;      // GUARDED_BY(mu_)
  int64_t checkpoints_ = 0;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace syncline
