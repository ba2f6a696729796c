// SQL for users, grants and tokens (schema 06-users.sql). Each function runs on the connection
// it is given; the writes expect to be inside a transaction.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/user_record.h"
#include "syncline/result.h"

namespace syncline::sqlite_users {

Status InsertUser(SqliteConnection* c, const UserRecord& user);  // AlreadyExists
// Replaces the hash and grants; a new hash revokes the user's tokens. NotFound if absent.
Status UpdateUser(SqliteConnection* c, const UserRecord& user);
Result<std::optional<UserRecord>> GetUser(SqliteConnection* c, std::string_view name);
Result<std::vector<UserRecord>> ListUsers(SqliteConnection* c);
Status DeleteUser(SqliteConnection* c, std::string_view name);  // NotFound if absent

// Inserts the token and drops those expired by its creation time.
Status PutToken(SqliteConnection* c, const TokenRecord& token);
Result<std::optional<TokenRecord>> GetToken(SqliteConnection* c, std::string_view token_hash);
Status DeleteToken(SqliteConnection* c, std::string_view token_hash);

}  // namespace syncline::sqlite_users
