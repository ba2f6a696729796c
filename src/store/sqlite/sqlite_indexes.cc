#include "store/sqlite/sqlite_indexes.h"

#include "util/sha256.h"

namespace syncline::sqlite_indexes {
namespace {

// An SQL string literal: quotes doubled. Collection names are validated names, but an index
// statement cannot bind parameters, so the literal must be safe by itself.
std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    out += ch;
    if (ch == '\'') out += '\'';
  }
  return out + "'";
}

std::string Expression(const std::string& field) {
  return "json_extract(CAST(body AS TEXT), '$." + field + "')";
}

// The index's terms, repeated in every query that means to use it.
std::string Scope(int64_t db_id, const std::string& collection) {
  return "db_id = " + std::to_string(db_id) + " AND kind = 0 AND collection = " +
         Literal(collection) + " AND deleted = 0";
}

std::string IndexName(int64_t db_id, const std::string& collection, const std::string& field) {
  std::string digest = HexEncode(Sha256(collection + '\0' + field));
  return "field_index_" + std::to_string(db_id) + "_" + digest.substr(0, 16);
}

// INDEXED BY: the planner, without statistics, may prefer the key index of the whole
// collection; naming the index makes the lookup certain (and an error if it could not apply).
std::string FindSql(int64_t db_id, const std::string& collection, const std::string& field) {
  return "SELECT key, etag, version_vector, updated_at, body FROM items INDEXED BY " +
         IndexName(db_id, collection, field) + " WHERE " +
         Scope(db_id, collection) + " AND " + Expression(field) +
         " = ? AND key > ? ORDER BY " + Expression(field) + ", key LIMIT ?";
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
  std::string name = IndexName(db_id, collection, field);
  SYNCLINE_RETURN_IF_ERROR(c->Exec("CREATE INDEX " + name + " ON items (" + Expression(field) +
                                   ", key) WHERE " + Scope(db_id, collection)));
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
  SYNCLINE_RETURN_IF_ERROR(c->Exec("DROP INDEX IF EXISTS " + IndexName(db_id, collection, field)));
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM field_indexes WHERE db_id=? AND collection=? AND field=?"));
  return st->Bind(1, db_id).Bind(2, collection).Bind(3, field).Run();
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
  for (const FieldIndex& i : all) SYNCLINE_RETURN_IF_ERROR(c->Exec("DROP INDEX IF EXISTS " + i.name));
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("DELETE FROM field_indexes WHERE db_id=?"));
  return st->Bind(1, db_id).Run();
}

Result<std::vector<Item>> FindByField(SqliteConnection* c, int64_t db_id,
                                      const std::string& collection, const std::string& field,
                                      const Json& value, const std::string& after_key,
                                      int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(bool exists, Exists(c, db_id, collection, field));
  if (!exists) return Status::NotFound("no index on '" + field + "'");
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(FindSql(db_id, collection, field)));
  // As json_extract returns them: text, integers, and booleans as 1 and 0.
  if (value.is_string()) {
    st->Bind(1, value.get_ref<const std::string&>());
  } else if (value.is_boolean()) {
    st->Bind(1, int64_t{value.get<bool>() ? 1 : 0});
  } else if (value.is_number_integer()) {
    st->Bind(1, value.get<int64_t>());
  } else {
    return Status::InvalidArgument("an index lookup takes a string, an integer or a boolean");
  }
  st->Bind(2, after_key).Bind(3, limit);
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

Result<std::string> FindByFieldPlan(SqliteConnection* c, int64_t db_id,
                                    const std::string& collection, const std::string& field) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("EXPLAIN QUERY PLAN " + FindSql(db_id, collection, field)));
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
