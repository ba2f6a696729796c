// Applies the numbered schema files (src/store/schema/NN-*.sql) to a connection.
#pragma once

#include "store/sqlite/sqlite_db.h"

namespace syncline {

// Applies every schema file newer than the store's schema_version, each in one transaction.
Status ApplySchema(SqliteConnection* conn);

}  // namespace syncline
