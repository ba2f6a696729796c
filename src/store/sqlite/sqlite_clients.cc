// Clients: one small statement per step.
#include "store/sqlite/sqlite_clients.h"

namespace syncline::sqlite_clients {

namespace {

constexpr char kClientColumns[] = "client_id, user, platform, created_at, last_seen_at";

ClientRecord ReadClient(const SqliteStatement& st) {
  return {st.Text(0), st.Text(1), st.Text(2), st.Int(3), st.Int(4)};
}

}  // namespace

Status PutClient(SqliteConnection* c, int64_t db_id, const ClientRecord& r) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("INSERT OR REPLACE INTO clients (db_id, ") + kClientColumns +
                 ") VALUES (?,?,?,?,?,?)"));
  return st->Bind(1, db_id)
      .Bind(2, r.client_id)
      .Bind(3, r.user)
      .Bind(4, r.platform)
      .Bind(5, r.created_at)
      .Bind(6, r.last_seen_at)
      .Run();
}

Result<std::optional<ClientRecord>> GetClient(SqliteConnection* c, int64_t db_id,
                                              std::string_view id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kClientColumns +
                 " FROM clients WHERE db_id=? AND client_id=?"));
  st->Bind(1, db_id).Bind(2, id);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<ClientRecord> out;
  if (row) out = ReadClient(*st);
  st->Reset();
  return out;
}

Result<std::vector<ClientRecord>> ListClients(SqliteConnection* c, int64_t db_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(std::string("SELECT ") + kClientColumns +
                 " FROM clients WHERE db_id=? ORDER BY created_at, client_id"));
  st->Bind(1, db_id);
  std::vector<ClientRecord> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadClient(*st));
  }
  st->Reset();
  return out;
}

Status DeleteClient(SqliteConnection* c, int64_t db_id, std::string_view id) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("DELETE FROM clients WHERE db_id=? AND client_id=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Bind(2, id).Run());
  if (sqlite3_changes(c->handle()) == 0) {
    return Status::NotFound("client '" + std::string(id) + "' not found");
  }
  for (const char* sql : {"DELETE FROM client_collections WHERE db_id=? AND client_id=?",
                          "DELETE FROM client_ops WHERE db_id=? AND client_id=?"}) {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * del, c->Prepare(sql));
    SYNCLINE_RETURN_IF_ERROR(del->Bind(1, db_id).Bind(2, id).Run());
  }
  return Status::OK();
}

Status PutClientCollection(SqliteConnection* c, int64_t db_id, const ClientCollectionRecord& r) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT OR REPLACE INTO client_collections (db_id, client_id, collection, "
                 "cursor, filter, fields, updated_at, pending_ops) VALUES (?,?,?,?,?,?,?,?)"));
  return st->Bind(1, db_id)
      .Bind(2, r.client_id)
      .Bind(3, r.collection)
      .Bind(4, r.cursor)
      .Bind(5, r.filter)
      .Bind(6, r.fields)
      .Bind(7, r.updated_at)
      .Bind(8, r.pending_ops)
      .Run();
}

Result<std::vector<ClientCollectionRecord>> ListClientCollections(SqliteConnection* c,
                                                                 int64_t db_id,
                                                                 std::string_view client_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT client_id, collection, cursor, filter, fields, updated_at, pending_ops FROM "
                 "client_collections WHERE db_id=? AND client_id=? ORDER BY collection"));
  st->Bind(1, db_id).Bind(2, client_id);
  std::vector<ClientCollectionRecord> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4), st->Int(5),
                   st->Int(6)});
  }
  st->Reset();
  return out;
}

Result<std::optional<std::string>> GetClientOp(SqliteConnection* c, int64_t db_id,
                                               std::string_view client_id,
                                               std::string_view op_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT result FROM client_ops WHERE db_id=? AND client_id=? AND op_id=?"));
  st->Bind(1, db_id).Bind(2, client_id).Bind(3, op_id);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<std::string> out;
  if (row) out = st->Text(0);
  st->Reset();
  return out;
}

Status PruneClientOps(SqliteConnection* c, int64_t db_id, int64_t keep_after) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * prune,
      c->Prepare("DELETE FROM client_ops WHERE db_id=? AND created_at<?"));
  return prune->Bind(1, db_id).Bind(2, keep_after).Run();
}

Status PutClientOp(SqliteConnection* c, int64_t db_id, std::string_view client_id,
                   std::string_view op_id, std::string_view result, int64_t now) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("INSERT OR REPLACE INTO client_ops (db_id, client_id, op_id, result, "
                 "created_at) VALUES (?,?,?,?,?)"));
  return st->Bind(1, db_id).Bind(2, client_id).Bind(3, op_id).Bind(4, result).Bind(5, now).Run();
}

Result<std::vector<Item>> ListCollectionChanges(SqliteConnection* c, int64_t db_id,
                                                std::string_view collection, int64_t since,
                                                int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT key, etag, version_vector, deleted, updated_at, body FROM items "
                 "INDEXED BY items_by_collection_etag "
                 "WHERE db_id=? AND kind=0 AND collection=? AND etag>? ORDER BY etag LIMIT ?"));
  st->Bind(1, db_id).Bind(2, collection).Bind(3, since).Bind(4, limit);
  std::vector<Item> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Item item;
    item.kind = ItemKind::kDocument;
    item.collection = std::string(collection);
    item.key = st->Text(0);
    item.etag = st->Int(1);
    item.version_vector = st->Text(2);
    item.deleted = st->Int(3) != 0;
    item.updated_at = st->Int(4);
    item.body = std::string(st->Blob(5));
    out.push_back(std::move(item));
  }
  st->Reset();
  return out;
}

Result<int64_t> CountCollectionChanges(SqliteConnection* c, int64_t db_id,
                                       std::string_view collection, int64_t since,
                                       int64_t skip_tombstones_until) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT count(*) FROM items INDEXED BY items_by_collection_etag "
                 "WHERE db_id=? AND kind=0 AND collection=? AND etag>? AND NOT (deleted=1 AND etag<=?)"));
  st->Bind(1, db_id).Bind(2, collection).Bind(3, since).Bind(4, skip_tombstones_until);
  SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t n = row ? st->Int(0) : 0;
  st->Reset();
  return n;
}

Status DropDatabaseClients(SqliteConnection* c, int64_t db_id) {
  for (const char* sql : {"DELETE FROM clients WHERE db_id=?",
                          "DELETE FROM client_collections WHERE db_id=?",
                          "DELETE FROM client_ops WHERE db_id=?"}) {
    SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare(sql));
    SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Run());
  }
  return Status::OK();
}

}  // namespace syncline::sqlite_clients
