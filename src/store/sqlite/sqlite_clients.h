// SQL for offline-first clients (schema 07-clients.sql): the registry, per-collection pull
// state, remembered push operations, and a collection's changes in etag order.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "store/client_record.h"
#include "store/item.h"
#include "store/sqlite/sqlite_db.h"
#include "syncline/result.h"

namespace syncline::sqlite_clients {

Status PutClient(SqliteConnection* c, int64_t db_id, const ClientRecord& client);
Result<std::optional<ClientRecord>> GetClient(SqliteConnection* c, int64_t db_id,
                                              std::string_view id);
Result<std::vector<ClientRecord>> ListClients(SqliteConnection* c, int64_t db_id);
// With its collections and operations. NotFound if absent.
Status DeleteClient(SqliteConnection* c, int64_t db_id, std::string_view id);

Status PutClientCollection(SqliteConnection* c, int64_t db_id, const ClientCollectionRecord& r);
Result<std::vector<ClientCollectionRecord>> ListClientCollections(SqliteConnection* c,
                                                                 int64_t db_id,
                                                                 std::string_view client_id);

Result<std::optional<std::string>> GetClientOp(SqliteConnection* c, int64_t db_id,
                                               std::string_view client_id,
                                               std::string_view op_id);
// Stores the result of one operation, kept for retries.
Status PutClientOp(SqliteConnection* c, int64_t db_id, std::string_view client_id,
                   std::string_view op_id, std::string_view result, int64_t now);
// Forgets the operations recorded before `keep_after` (once per transaction is enough).
Status PruneClientOps(SqliteConnection* c, int64_t db_id, int64_t keep_after);

// Documents of `collection` with etag > since, tombstones included, in etag order.
Result<std::vector<Item>> ListCollectionChanges(SqliteConnection* c, int64_t db_id,
                                                std::string_view collection, int64_t since,
                                                int64_t limit);
Result<int64_t> CountCollectionChanges(SqliteConnection* c, int64_t db_id,
                                       std::string_view collection, int64_t since,
                                       int64_t skip_tombstones_until);

// Every row of a dropped database.
Status DropDatabaseClients(SqliteConnection* c, int64_t db_id);

}  // namespace syncline::sqlite_clients
