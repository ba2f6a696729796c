// Field indexes: SQLite expression indexes on one JSON field of collections' documents (one
// per field, shared; see schema 08 for why it is not partial to one collection), and the
// queries that use them (`doc find` on an indexed field). Callers hold the writer for
// changes; reads take any connection.
#pragma once

#include <string>
#include <vector>

#include "store/field_index.h"
#include "store/item.h"
#include "store/sqlite/sqlite_db.h"
#include "util/json.h"

namespace syncline {

namespace sqlite_indexes {

// InvalidArgument unless `field` is a dotted path of 1-64 names of [A-Za-z0-9_] (what can go in
// a JSON path literal safely).
Status ValidateField(const std::string& field);

// Creates the index (building it over the existing documents); AlreadyExists if it exists.
Status CreateIndex(SqliteConnection* c, int64_t db_id, const std::string& collection,
                   const std::string& field, int64_t now);
// NotFound if there is no such index.
Status DropIndex(SqliteConnection* c, int64_t db_id, const std::string& collection,
                 const std::string& field);
// Every index of a database (dropping a database drops them).
Result<std::vector<FieldIndex>> ListIndexes(SqliteConnection* c, int64_t db_id);
Status DropDatabaseIndexes(SqliteConnection* c, int64_t db_id);

// Live documents of `collection` whose `field` equals `value` (a string, an integer or a
// boolean), in key order after `after_key`, at most `limit`, through the field's index.
// NotFound if the field has no index; InvalidArgument for another kind of value.
Result<std::vector<Item>> FindByField(SqliteConnection* c, int64_t db_id,
                                      const std::string& collection, const std::string& field,
                                      const Json& value, const std::string& after_key,
                                      int64_t limit);
// SQLite's plan for FindByField's query (EXPLAIN QUERY PLAN, one line per step).
Result<std::string> FindByFieldPlan(SqliteConnection* c, const std::string& field);

}  // namespace sqlite_indexes
}  // namespace syncline
