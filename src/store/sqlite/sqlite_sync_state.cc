// Sync state tables: one small statement per operation.
#include "store/sqlite/sqlite_sync_state.h"

namespace syncline::sqlite_sync_state {

namespace {

constexpr char kReportColumns[] =
    "kind, collection, key, etag, type, error_code, error_message, bytes_transferred, "
    "bytes_copied, need_list_length, source_node, source_url, destination_url, started_at, "
    "finished_at";

ReportRecord ReadReport(const SqliteStatement& st) {
  ReportRecord r;
  r.ref = {static_cast<ItemKind>(st.Int(0)), st.Text(1), st.Text(2)};
  r.etag = st.Int(3);
  r.type = st.Text(4);
  r.error_code = st.IsNull(5) ? "" : st.Text(5);
  r.error_message = st.IsNull(6) ? "" : st.Text(6);
  r.bytes_transferred = st.Int(7);
  r.bytes_copied = st.Int(8);
  r.need_list_length = st.Int(9);
  r.source_node = st.Text(10);
  r.source_url = st.Text(11);
  r.destination_url = st.Text(12);
  r.started_at = st.Int(13);
  r.finished_at = st.Int(14);
  return r;
}

constexpr char kConflictColumns[] =
    "kind, collection, key, remote_url, remote_node, local_version, remote_version, "
    "remote_item, created_at";

ConflictRecord ReadConflict(const SqliteStatement& st) {
  ConflictRecord r;
  r.ref = {static_cast<ItemKind>(st.Int(0)), st.Text(1), st.Text(2)};
  r.remote_url = st.Text(3);
  r.remote_node = st.Text(4);
  r.local_version = st.Text(5);
  r.remote_version = st.Text(6);
  r.remote_item = st.Text(7);
  r.created_at = st.Int(8);
  return r;
}

// Binds (db_id, kind, collection, key) at 1..4.
SqliteStatement& BindItem(SqliteStatement* st, int64_t db_id, const ItemRef& ref) {
  return st->Bind(1, db_id).Bind(2, static_cast<int64_t>(ref.kind)).Bind(3, ref.collection).Bind(4, ref.key);
}

}  // namespace

Status PutReport(SqliteConnection* c, int64_t db_id, ReportDirection dir, const ReportRecord& r) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("INSERT OR REPLACE INTO sync_reports (db_id, direction, ") +
                 kReportColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  st->Bind(1, db_id).Bind(2, static_cast<int64_t>(dir));
  st->Bind(3, static_cast<int64_t>(r.ref.kind)).Bind(4, r.ref.collection).Bind(5, r.ref.key);
  st->Bind(6, r.etag).Bind(7, r.type);
  if (r.error_code.empty()) {
    st->BindNull(8).BindNull(9);
  } else {
    st->Bind(8, r.error_code).Bind(9, r.error_message);
  }
  st->Bind(10, r.bytes_transferred).Bind(11, r.bytes_copied).Bind(12, r.need_list_length);
  st->Bind(13, r.source_node).Bind(14, r.source_url).Bind(15, r.destination_url);
  st->Bind(16, r.started_at).Bind(17, r.finished_at);
  return st->Run().WithContext("put report");
}

Result<std::optional<ReportRecord>> GetReport(SqliteConnection* c, int64_t db_id,
                                              ReportDirection dir, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kReportColumns +
                 " FROM sync_reports WHERE db_id=? AND kind=? AND collection=? AND key=? "
                 "AND direction=?"));
  BindItem(st, db_id, ref).Bind(5, static_cast<int64_t>(dir));
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<ReportRecord> out;
  if (row) out = ReadReport(*st);
  st->Reset();
  return out;
}

Result<ReportPage> ListReports(SqliteConnection* c, int64_t db_id, ReportDirection dir,
                               int64_t start, int64_t limit) {
  ReportPage page;
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kReportColumns +
                 " FROM sync_reports WHERE db_id=? AND direction=? "
                 "ORDER BY finished_at DESC LIMIT ? OFFSET ?"));
  st->Bind(1, db_id).Bind(2, static_cast<int64_t>(dir)).Bind(3, limit).Bind(4, start);
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    page.reports.push_back(ReadReport(*st));
  }
  st->Reset();
  SYNCLINE_ASSIGN_OR_RETURN(
      st, c->Prepare("SELECT count(*) FROM sync_reports WHERE db_id=? AND direction=?"));
  st->Bind(1, db_id).Bind(2, static_cast<int64_t>(dir));
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  page.total = row ? st->Int(0) : 0;
  st->Reset();
  return page;
}

Result<std::optional<ConflictRecord>> GetConflict(SqliteConnection* c, int64_t db_id,
                                                  const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kConflictColumns +
                 " FROM conflicts WHERE db_id=? AND kind=? AND collection=? AND key=?"));
  BindItem(st, db_id, ref);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<ConflictRecord> out;
  if (row) out = ReadConflict(*st);
  st->Reset();
  return out;
}

Status PutConflict(SqliteConnection* c, int64_t db_id, const ConflictRecord& r) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("INSERT OR REPLACE INTO conflicts (db_id, ") + kConflictColumns +
                 ") VALUES (?,?,?,?,?,?,?,?,?,?)"));
  BindItem(st, db_id, r.ref);
  st->Bind(5, r.remote_url).Bind(6, r.remote_node).Bind(7, r.local_version);
  st->Bind(8, r.remote_version).Bind(9, r.remote_item).Bind(10, r.created_at);
  return st->Run().WithContext("put conflict");
}

Status DeleteConflict(SqliteConnection* c, int64_t db_id, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM conflicts WHERE db_id=? AND kind=? AND collection=? AND key=?"));
  return BindItem(st, db_id, ref).Run().WithContext("delete conflict");
}

namespace {

// True if `sql` (db_id, kind, collection) finds a row.
Result<bool> AnyRow(SqliteConnection* c, const char* sql, int64_t db_id, ItemKind kind,
                    std::string_view collection) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(sql));
  st->Bind(1, db_id).Bind(2, static_cast<int64_t>(kind)).Bind(3, collection);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  st->Reset();
  return row;
}

}  // namespace

Result<bool> AnyConflict(SqliteConnection* c, int64_t db_id, ItemKind kind,
                         std::string_view collection) {
  return AnyRow(c, "SELECT 1 FROM conflicts WHERE db_id=? AND kind=? AND collection=? LIMIT 1",
                db_id, kind, collection);
}

Result<bool> AnyLock(SqliteConnection* c, int64_t db_id, ItemKind kind,
                     std::string_view collection) {
  return AnyRow(c, "SELECT 1 FROM item_locks WHERE db_id=? AND kind=? AND collection=? LIMIT 1",
                db_id, kind, collection);
}

Result<std::vector<ConflictRecord>> ListConflicts(SqliteConnection* c, int64_t db_id,
                                                  const ItemRef* after, int64_t limit) {
  ItemRef from = after ? *after : ItemRef{ItemKind::kDocument, "", ""};
  // Row values order as the primary key does; without a cursor, start before every item.
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kConflictColumns +
                 " FROM conflicts WHERE db_id=? AND (kind, collection, key) > (?,?,?) "
                 "ORDER BY kind, collection, key LIMIT ?"));
  st->Bind(1, db_id).Bind(2, after ? static_cast<int64_t>(from.kind) : int64_t{-1});
  st->Bind(3, from.collection).Bind(4, from.key).Bind(5, limit);
  std::vector<ConflictRecord> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadConflict(*st));
  }
  st->Reset();
  return out;
}

Result<std::optional<LockRecord>> GetLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT owner, expires_at FROM item_locks "
                 "WHERE db_id=? AND kind=? AND collection=? AND key=?"));
  BindItem(st, db_id, ref);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<LockRecord> out;
  if (row) out = LockRecord{st->Text(0), st->Int(1)};
  st->Reset();
  return out;
}

Status PutLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref, const LockRecord& lock) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st, c->Prepare("INSERT OR REPLACE INTO item_locks VALUES (?,?,?,?,?,?)"));
  return BindItem(st, db_id, ref).Bind(5, lock.owner).Bind(6, lock.expires_at).Run().WithContext(
      "put lock");
}

Status DeleteLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM item_locks WHERE db_id=? AND kind=? AND collection=? AND key=?"));
  return BindItem(st, db_id, ref).Run().WithContext("delete lock");
}

Result<int64_t> GetSourceEtag(SqliteConnection* c, int64_t db_id, std::string_view node,
                              std::string_view db) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT last_etag FROM source_watermarks "
                 "WHERE db_id=? AND source_node=? AND source_db=?"));
  st->Bind(1, db_id).Bind(2, node).Bind(3, db);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t etag = row ? st->Int(0) : 0;
  st->Reset();
  return etag;
}

Status PutSourceEtag(SqliteConnection* c, int64_t db_id, std::string_view node,
                     std::string_view db, int64_t etag) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT OR REPLACE INTO source_watermarks VALUES (?,?,?,?)"));
  return st->Bind(1, db_id).Bind(2, node).Bind(3, db).Bind(4, etag).Run().WithContext(
      "put source etag");
}

Result<std::vector<ItemRef>> GetConfirmations(SqliteConnection* c, int64_t db_id,
                                              std::string_view url) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT kind, collection, key FROM confirmations "
                 "WHERE db_id=? AND destination_url=? ORDER BY kind, collection, key"));
  st->Bind(1, db_id).Bind(2, url);
  std::vector<ItemRef> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({static_cast<ItemKind>(st->Int(0)), st->Text(1), st->Text(2)});
  }
  st->Reset();
  return out;
}

Status SetConfirmations(SqliteConnection* c, int64_t db_id, std::string_view url,
                        const std::vector<ItemRef>& refs) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM confirmations WHERE db_id=? AND destination_url=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Bind(2, url).Run());
  SYNCLINE_ASSIGN_OR_RETURN(
      st, c->Prepare("INSERT OR IGNORE INTO confirmations VALUES (?,?,?,?,?)"));
  for (const ItemRef& r : refs) {
    st->Bind(1, db_id).Bind(2, url).Bind(3, static_cast<int64_t>(r.kind)).Bind(4, r.collection);
    SYNCLINE_RETURN_IF_ERROR(st->Bind(5, r.key).Run().WithContext("put confirmation"));
  }
  return Status::OK();
}

namespace {

constexpr char kJobColumns[] =
    "id, collection, master_url, master_db, master_key, method, max_wait_seconds, state, "
    "resumable, result, error_code, error_message, follow, created_at, started_at, finished_at";

JobRecord ReadJob(const SqliteStatement& st) {
  JobRecord j;
  j.id = st.Text(0);
  j.collection = st.Text(1);
  j.master_url = st.Text(2);
  j.master_db = st.Text(3);
  j.master_key = st.Text(4);
  j.method = st.Text(5);
  j.max_wait_seconds = st.Int(6);
  j.state = st.Text(7);
  j.resumable = st.Int(8) != 0;
  j.result = st.IsNull(9) ? "" : st.Text(9);
  j.error_code = st.IsNull(10) ? "" : st.Text(10);
  j.error_message = st.IsNull(11) ? "" : st.Text(11);
  j.follow = st.Int(12) != 0;
  j.created_at = st.Int(13);
  j.started_at = st.Int(14);
  j.finished_at = st.Int(15);
  return j;
}

}  // namespace

Status PutJob(SqliteConnection* c, int64_t db_id, const JobRecord& j) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("INSERT OR REPLACE INTO collection_jobs (db_id, ") + kJobColumns +
                 ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  st->Bind(1, db_id).Bind(2, j.id).Bind(3, j.collection).Bind(4, j.master_url);
  st->Bind(5, j.master_db).Bind(6, j.master_key).Bind(7, j.method).Bind(8, j.max_wait_seconds);
  st->Bind(9, j.state).Bind(10, int64_t{j.resumable});
  if (j.result.empty()) st->BindNull(11); else st->Bind(11, j.result);
  if (j.error_code.empty()) st->BindNull(12); else st->Bind(12, j.error_code);
  if (j.error_message.empty()) st->BindNull(13); else st->Bind(13, j.error_message);
  st->Bind(14, int64_t{j.follow});
  st->Bind(15, j.created_at).Bind(16, j.started_at).Bind(17, j.finished_at);
  return st->Run().WithContext("put job");
}

Result<std::optional<JobRecord>> GetJob(SqliteConnection* c, int64_t db_id, std::string_view id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kJobColumns +
                 " FROM collection_jobs WHERE db_id=? AND id=?"));
  st->Bind(1, db_id).Bind(2, id);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<JobRecord> out;
  if (row) out = ReadJob(*st);
  st->Reset();
  return out;
}

Result<std::vector<JobRecord>> ListJobs(SqliteConnection* c, int64_t db_id, int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kJobColumns +
                 " FROM collection_jobs WHERE db_id=? ORDER BY created_at DESC, id LIMIT ?"));
  st->Bind(1, db_id).Bind(2, limit);
  std::vector<JobRecord> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadJob(*st));
  }
  st->Reset();
  return out;
}

namespace {

constexpr char kFollowerColumns[] =
    "collection, master_url, master_db, master_key, checkpoint_etag, created_at";

FollowerRecord ReadFollower(const SqliteStatement& st) {
  return {st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Int(4), st.Int(5)};
}

}  // namespace

Result<std::optional<FollowerRecord>> GetFollower(SqliteConnection* c, int64_t db_id,
                                                  std::string_view collection) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kFollowerColumns +
                 " FROM collection_followers WHERE db_id=? AND collection=?"));
  st->Bind(1, db_id).Bind(2, collection);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<FollowerRecord> out;
  if (row) out = ReadFollower(*st);
  st->Reset();
  return out;
}

Status PutFollower(SqliteConnection* c, int64_t db_id, const FollowerRecord& f) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("INSERT OR REPLACE INTO collection_followers (db_id, ") +
                 kFollowerColumns + ") VALUES (?,?,?,?,?,?,?)"));
  st->Bind(1, db_id).Bind(2, f.collection).Bind(3, f.master_url).Bind(4, f.master_db);
  st->Bind(5, f.master_key).Bind(6, f.checkpoint_etag).Bind(7, f.created_at);
  return st->Run().WithContext("put follower");
}

Status DeleteFollower(SqliteConnection* c, int64_t db_id, std::string_view collection) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM collection_followers WHERE db_id=? AND collection=?"));
  return st->Bind(1, db_id).Bind(2, collection).Run().WithContext("delete follower");
}

Result<std::vector<FollowerRecord>> ListFollowers(SqliteConnection* c, int64_t db_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kFollowerColumns +
                 " FROM collection_followers WHERE db_id=? ORDER BY collection"));
  st->Bind(1, db_id);
  std::vector<FollowerRecord> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadFollower(*st));
  }
  st->Reset();
  return out;
}

Status DropDatabaseState(SqliteConnection* c, int64_t db_id) {
  for (const char* sql : {"DELETE FROM sync_reports WHERE db_id=?", "DELETE FROM conflicts WHERE db_id=?",
                          "DELETE FROM item_locks WHERE db_id=?",
                          "DELETE FROM source_watermarks WHERE db_id=?",
                          "DELETE FROM confirmations WHERE db_id=?",
                          "DELETE FROM collection_jobs WHERE db_id=?",
                          "DELETE FROM collection_followers WHERE db_id=?"}) {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(sql));
    SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Run());
  }
  return Status::OK();
}

}  // namespace syncline::sqlite_sync_state
