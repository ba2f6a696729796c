#include "store/sqlite/sqlite_indexes.h"

#include "util/json_reader.h"
#include "util/sha256.h"

namespace syncline::sqlite_indexes {
namespace {

std::string Expression(const std::string& field) {
  return "json_extract(CAST(body AS TEXT), '$." + field + "')";
}

// One SQLite index per field, shared by every collection (of any database) that indexes it.
std::string IndexName(const std::string& field) {
  return "field_index_" + HexEncode(Sha256(field)).substr(0, 16);
}

// INDEXED BY: the planner, without statistics, may prefer the key index of the whole
// collection; naming the index makes the lookup certain (and an error if it could not apply).
std::string FindSql(const std::string& field) {
  return "SELECT key, etag, version_vector, updated_at, body FROM items INDEXED BY " +
         IndexName(field) + " WHERE db_id = ? AND collection = ? AND " + Expression(field) +
         " = ? AND kind = 0 AND deleted = 0 AND key > ? ORDER BY key LIMIT ?";
}

// Drops the field's SQLite index once no collection asks for it.
Status DropIfUnused(SqliteConnection* c, const std::string& field) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("SELECT 1 FROM field_indexes WHERE field=? LIMIT 1"));
  st->Bind(1, field);
  SYNCLINE_ASSIGN_OR_RETURN(bool used, st->Step());
  st->Reset();
  if (used) return Status::OK();
  return c->Exec("DROP INDEX IF EXISTS " + IndexName(field));
}

Result<bool> Exists(SqliteConnection* c, int64_t db_id, const std::string& collection,
                    const std::string& field) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT 1 FROM field_indexes WHERE db_id=? AND collection=? AND field=?"));
  st->Bind(1, db_id).Bind(2, collection).Bind(3, field);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  st->Reset();
  return row;
}

}  // namespace

Status ValidateField(const std::string& field) {
  bool ok = !field.empty() && field.size() <= 64 && field.front() != '.' && field.back() != '.';
  for (size_t i = 0; ok && i < field.size(); ++i) {
    char ch = field[i];
    bool name = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '_';
    ok = name || (ch == '.' && field[i + 1] != '.');
  }
  if (!ok) {
    return Status::InvalidArgument("an indexed field is a dotted path of names of letters, "
                                   "digits and '_' (at most 64 bytes), not '" + field + "'");
  }
  return Status::OK();
}

Status CreateIndex(SqliteConnection* c, int64_t db_id, const std::string& collection,
                   const std::string& field, int64_t now) {
  SYNCLINE_RETURN_IF_ERROR(ValidateField(field));
  SYNCLINE_ASSIGN_OR_RETURN(bool exists, Exists(c, db_id, collection, field));
  if (exists) {
    return Status::AlreadyExists("collection '" + collection + "' already has an index on '" +
                                 field + "'");
  }
  std::string name = IndexName(field);
  // The condition compares no bound column (see schema 08): statements stay prepared.
  SYNCLINE_RETURN_IF_ERROR(c->Exec("CREATE INDEX IF NOT EXISTS " + name +
                                   " ON items (db_id, collection, " + Expression(field) +
                                   ", key) WHERE " + Expression(field) + " IS NOT NULL"));
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT INTO field_indexes(db_id, collection, field, name, created_at) "
                 "VALUES(?,?,?,?,?)"));
  return st->Bind(1, db_id).Bind(2, collection).Bind(3, field).Bind(4, name).Bind(5, now).Run();
}

Status DropIndex(SqliteConnection* c, int64_t db_id, const std::string& collection,
                 const std::string& field) {
  SYNCLINE_ASSIGN_OR_RETURN(bool exists, Exists(c, db_id, collection, field));
  if (!exists) {
    return Status::NotFound("collection '" + collection + "' has no index on '" + field + "'");
  }
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM field_indexes WHERE db_id=? AND collection=? AND field=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Bind(2, collection).Bind(3, field).Run());
  return DropIfUnused(c, field);
}

Result<std::vector<FieldIndex>> ListIndexes(SqliteConnection* c, int64_t db_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT collection, field, name, created_at FROM field_indexes WHERE db_id=? "
                 "ORDER BY collection, field"));
  st->Bind(1, db_id);
  std::vector<FieldIndex> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Int(3)});
  }
  st->Reset();
  return out;
}

Status DropDatabaseIndexes(SqliteConnection* c, int64_t db_id) {
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<FieldIndex> all, ListIndexes(c, db_id));
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("DELETE FROM field_indexes WHERE db_id=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Run());
  for (const FieldIndex& i : all) SYNCLINE_RETURN_IF_ERROR(DropIfUnused(c, i.field));
  return Status::OK();
}

Result<std::vector<Item>> FindByField(SqliteConnection* c, int64_t db_id,
                                      const std::string& collection, const std::string& field,
                                      const Json& value, const std::string& after_key,
                                      int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(bool exists, Exists(c, db_id, collection, field));
  if (!exists) return Status::NotFound("no index on '" + field + "'");
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(FindSql(field)));
  st->Bind(1, db_id).Bind(2, collection);
  // As json_extract returns them: text, integers, and booleans as 1 and 0.
  if (value.is_string()) {
    st->Bind(3, value.get_ref<const std::string&>());
  } else if (value.is_boolean()) {
    st->Bind(3, int64_t{value == true ? 1 : 0});
  } else if (Result<int64_t> n = JsonAsInt(value, "an index lookup's value"); n.ok()) {
    st->Bind(3, *n);
  } else {
    return Status::InvalidArgument("an index lookup takes a string, an integer or a boolean");
  }
  st->Bind(4, after_key).Bind(5, limit);
  std::vector<Item> out;
  while (true) {
    Result<bool> row = st->Step();
    if (!row.ok()) {
      st->Reset();
      return row.status();
    }
    if (!*row) break;
    Item item;
    item.collection = collection;
    item.key = st->Text(0);
    item.etag = st->Int(1);
    item.version_vector = st->Text(2);
    item.updated_at = st->Int(3);
    item.body = std::string(st->Blob(4));
    out.push_back(std::move(item));
  }
  st->Reset();
  return out;
}

Result<std::string> FindByFieldPlan(SqliteConnection* c, const std::string& field) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("EXPLAIN QUERY PLAN " + FindSql(field)));
  std::string plan;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    plan += st->Text(3) + "\n";
  }
  st->Reset();
  return plan;
}

}  // namespace syncline::sqlite_indexes
