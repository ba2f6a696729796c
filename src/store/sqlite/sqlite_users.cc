// Users, grants and tokens: one small statement per step.
#include "store/sqlite/sqlite_users.h"

namespace syncline::sqlite_users {

namespace {

Status NoUser(std::string_view name) {
  return Status::NotFound("user '" + std::string(name) + "' not found");
}

// Deletes the user's rows of `table` ("user_grants" or "tokens": names from this file only).
Status DeleteRowsOf(SqliteConnection* c, const char* table, std::string_view user) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st, c->Prepare(std::string("DELETE FROM ") + table + " WHERE user=?"));
  return st->Bind(1, user).Run();
}

Status PutGrants(SqliteConnection* c, const UserRecord& user) {
  SYNCLINE_RETURN_IF_ERROR(DeleteRowsOf(c, "user_grants", user.name));
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * ins,
      c->Prepare("INSERT OR REPLACE INTO user_grants (user, db, role) VALUES (?,?,?)"));
  for (const Grant& g : user.grants) {
    SYNCLINE_RETURN_IF_ERROR(
        ins->Bind(1, user.name).Bind(2, g.db).Bind(3, static_cast<int64_t>(g.role)).Run());
  }
  return Status::OK();
}

Result<std::vector<Grant>> GetGrants(SqliteConnection* c, std::string_view user) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT db, role FROM user_grants WHERE user=? ORDER BY db"));
  st->Bind(1, user);
  std::vector<Grant> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    int64_t role = st->Int(1);
    if (role < 0 || role > static_cast<int64_t>(Role::kAdmin)) {
      st->Reset();
      return Status::Corruption("user '" + std::string(user) + "' has an unknown role " +
                                std::to_string(role));
    }
    out.push_back({st->Text(0), static_cast<Role>(role)});
  }
  st->Reset();
  return out;
}

}  // namespace

Status InsertUser(SqliteConnection* c, const UserRecord& user) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT INTO users (name, password_hash, created_at, password_changed_at) "
                 "VALUES (?,?,?,?)"));
  Status s = st->Bind(1, user.name)
                 .Bind(2, user.password_hash)
                 .Bind(3, user.created_at)
                 .Bind(4, user.password_changed_at)
                 .Run();
  if (s.code() == Status::Code::kAlreadyExists) {
    return Status::AlreadyExists("user '" + user.name + "' already exists");
  }
  SYNCLINE_RETURN_IF_ERROR(s);
  return PutGrants(c, user);
}

Status UpdateUser(SqliteConnection* c, const UserRecord& user) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<UserRecord> old, GetUser(c, user.name));
  if (!old) return NoUser(user.name);
  if (old->password_hash != user.password_hash) {
    SYNCLINE_RETURN_IF_ERROR(DeleteRowsOf(c, "tokens", user.name));
  }
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("UPDATE users SET password_hash=?, password_changed_at=? WHERE name=?"));
  SYNCLINE_RETURN_IF_ERROR(
      st->Bind(1, user.password_hash).Bind(2, user.password_changed_at).Bind(3, user.name).Run());
  return PutGrants(c, user);
}

Result<std::optional<UserRecord>> GetUser(SqliteConnection* c, std::string_view name) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT name, password_hash, created_at, password_changed_at FROM users "
                 "WHERE name=?"));
  st->Bind(1, name);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return std::optional<UserRecord>();
  }
  UserRecord u{st->Text(0), st->Text(1), {}, st->Int(2), st->Int(3)};
  st->Reset();
  SYNCLINE_ASSIGN_OR_RETURN(u.grants, GetGrants(c, u.name));
  return std::optional<UserRecord>(std::move(u));
}

Result<std::vector<UserRecord>> ListUsers(SqliteConnection* c) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("SELECT name FROM users ORDER BY name"));
  std::vector<std::string> names;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    names.push_back(st->Text(0));
  }
  st->Reset();
  std::vector<UserRecord> out;
  for (const std::string& name : names) {
    SYNCLINE_ASSIGN_OR_RETURN(std::optional<UserRecord> u, GetUser(c, name));
    if (u) out.push_back(std::move(*u));
  }
  return out;
}

Status DeleteUser(SqliteConnection* c, std::string_view name) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare("DELETE FROM users WHERE name=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, name).Run());
  if (sqlite3_changes(c->handle()) == 0) return NoUser(name);
  SYNCLINE_RETURN_IF_ERROR(DeleteRowsOf(c, "user_grants", name));
  return DeleteRowsOf(c, "tokens", name);
}

Status PutToken(SqliteConnection* c, const TokenRecord& token) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * purge,
                            c->Prepare("DELETE FROM tokens WHERE expires_at<=?"));
  SYNCLINE_RETURN_IF_ERROR(purge->Bind(1, token.created_at).Run());
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT INTO tokens (token_hash, user, created_at, expires_at) VALUES (?,?,?,?)"));
  return st->BindBlob(1, token.token_hash)
      .Bind(2, token.user)
      .Bind(3, token.created_at)
      .Bind(4, token.expires_at)
      .Run();
}

Result<std::optional<TokenRecord>> GetToken(SqliteConnection* c, std::string_view token_hash) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT token_hash, user, created_at, expires_at FROM tokens "
                 "WHERE token_hash=?"));
  st->BindBlob(1, token_hash);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<TokenRecord> out;
  if (row) out = TokenRecord{std::string(st->Blob(0)), st->Text(1), st->Int(2), st->Int(3)};
  st->Reset();
  return out;
}

Status DeleteToken(SqliteConnection* c, std::string_view token_hash) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("DELETE FROM tokens WHERE token_hash=?"));
  return st->BindBlob(1, token_hash).Run();
}

}  // namespace syncline::sqlite_users
