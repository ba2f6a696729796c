// SQL for the sync state tables (schema 03-sync-state.sql), shared by the write transaction
// and the readers of SqliteStore. Each function runs on the connection it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/job_record.h"
#include "store/sync_state.h"
#include "syncline/result.h"

namespace syncline::sqlite_sync_state {

Status PutReport(SqliteConnection* c, int64_t db_id, ReportDirection dir, const ReportRecord& r);
Result<std::optional<ReportRecord>> GetReport(SqliteConnection* c, int64_t db_id,
                                              ReportDirection dir, const ItemRef& ref);
// Newest first; `total` counts every report of that direction.
Result<ReportPage> ListReports(SqliteConnection* c, int64_t db_id, ReportDirection dir,
                               int64_t start, int64_t limit);

Result<std::optional<ConflictRecord>> GetConflict(SqliteConnection* c, int64_t db_id,
                                                  const ItemRef& ref);
Status PutConflict(SqliteConnection* c, int64_t db_id, const ConflictRecord& r);
Status DeleteConflict(SqliteConnection* c, int64_t db_id, const ItemRef& ref);
// True if some item of that kind in `collection` is in conflict.
Result<bool> AnyConflict(SqliteConnection* c, int64_t db_id, ItemKind kind,
                         std::string_view collection);
// In item order, after `after` (all if null).
Result<std::vector<ConflictRecord>> ListConflicts(SqliteConnection* c, int64_t db_id,
                                                  const ItemRef* after, int64_t limit);

Result<std::optional<LockRecord>> GetLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref);
Status PutLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref, const LockRecord& lock);
Status DeleteLock(SqliteConnection* c, int64_t db_id, const ItemRef& ref);
// True if some item of that kind in `collection` has a lock row (live or expired).
Result<bool> AnyLock(SqliteConnection* c, int64_t db_id, ItemKind kind,
                     std::string_view collection);

Result<int64_t> GetSourceEtag(SqliteConnection* c, int64_t db_id, std::string_view node,
                              std::string_view db);
Status PutSourceEtag(SqliteConnection* c, int64_t db_id, std::string_view node,
                     std::string_view db, int64_t etag);

Result<std::vector<ItemRef>> GetConfirmations(SqliteConnection* c, int64_t db_id,
                                              std::string_view url);
Status SetConfirmations(SqliteConnection* c, int64_t db_id, std::string_view url,
                        const std::vector<ItemRef>& refs);

Status PutJob(SqliteConnection* c, int64_t db_id, const JobRecord& job);
Result<std::optional<JobRecord>> GetJob(SqliteConnection* c, int64_t db_id, std::string_view id);
// Newest first.
Result<std::vector<JobRecord>> ListJobs(SqliteConnection* c, int64_t db_id, int64_t limit);

Result<std::optional<FollowerRecord>> GetFollower(SqliteConnection* c, int64_t db_id,
                                                  std::string_view collection);
Status PutFollower(SqliteConnection* c, int64_t db_id, const FollowerRecord& f);
Status DeleteFollower(SqliteConnection* c, int64_t db_id, std::string_view collection);
Result<std::vector<FollowerRecord>> ListFollowers(SqliteConnection* c, int64_t db_id);

// Every table's rows of a dropped database.
Status DropDatabaseState(SqliteConnection* c, int64_t db_id);

}  // namespace syncline::sqlite_sync_state
