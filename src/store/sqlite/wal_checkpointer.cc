#include "store/sqlite/wal_checkpointer.h"

namespace syncline {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                SqliteConnection* writer) {
  // The checkpoint's own syncs (of the database file) keep synchronous=FULL: a checkpointed
  // page must be on disk before SQLite may reuse the WAL frames that held it.
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                            SqliteConnection::Open(path, true));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(std::move(conn), writer));
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  sqlite3_wal_hook(writer->handle(), &WalCheckpointer::OnCommit, c.get());
  return c;
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_->handle(), 1000);  // SQLite's default hook again
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  if (pages >= kInlinePages) {
    // Best effort, as SQLite's own autocheckpoint: a busy checkpoint is tried again later.
    (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (pages >= kWakePages) {
    {
      std::lock_guard<std::mutex> lock(c->mu_);
      c->pending_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;  // the commit itself succeeded whatever happens here
}

void WalCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    lock.unlock();
    // PASSIVE never waits for the writer or readers; what it cannot copy now it copies on the
    // next wake. A failure (busy, I/O) loses nothing: the frames stay in the WAL.
    (void)sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                    nullptr);
    lock.lock();
    ++checkpoints_;
  }
}

int64_t WalCheckpointer::TEST_checkpoints() {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

}  // namespace syncline
