// `syncline client`: an offline-first client in a folder, for the shell and for tests —
// init, the local verbs (put, get, rm, find, import), and what the outbox and log hold
// (status, errors, handle, logs). The sync verbs are in client_sync_command.cc.
#include <fstream>
#include <iostream>

#include "cli/client_dir.h"
#include "cli/commands.h"
#include "cli/password.h"
#include "client/client_db.h"
#include "util/json_reader.h"

namespace syncline {

void AddClientSyncVerbs(CLI::App& client, const CliContext& ctx, int* exit_code);

namespace {

constexpr size_t kImportBatch = 5000;  // lines per local transaction

Json OperationJson(const PendingOperation& op) {
  Json j = {{"op_id", op.op_id}, {"collection", op.collection}, {"key", op.key},
            {"op", op.op}, {"state", op.state}, {"base_etag", op.base_etag}};
  if (op.state == "failed") {
    j["error"] = op.error;
    j["code"] = op.code;
    j["message"] = op.message;
    j["attributes"] = op.attributes ? *op.attributes : Json(nullptr);
  }
  return j;
}

// Reads JSON lines {"key": K, "document": {...}} from `in` into the store, a few thousand per
// transaction. Returns how many; InvalidArgument naming the line for a bad one (the lines
// before it are kept: each batch is whole).
Result<int64_t> ImportLines(std::istream& in, OfflineStore& store, const std::string& collection) {
  std::vector<std::pair<std::string, Json>> batch;
  int64_t count = 0, line_no = 0;
  std::string line;
  auto flush = [&]() -> Status {
    SYNCLINE_RETURN_IF_ERROR(store.db().PutMany(collection, batch));
    count += static_cast<int64_t>(batch.size());
    batch.clear();
    return Status::OK();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<Json> j = ParseJsonObject(line);
    Result<std::string> key = j.ok() ? JsonString(*j, "key") : Result<std::string>(j.status());
    Result<const Json*> doc = j.ok() ? JsonObjectField(*j, "document") : Result<const Json*>(j.status());
    if (!key.ok() || !doc.ok() || !(*doc)->is_object()) {
      Status why = !key.ok() ? key.status() : !doc.ok() ? doc.status()
                                                        : Status::InvalidArgument("not an object");
      return Status::InvalidArgument("line " + std::to_string(line_no) +
                                     ": expected {\"key\": KEY, \"document\": {...}}: " +
                                     why.message());
    }
    batch.emplace_back(*key, **doc);
    if (batch.size() >= kImportBatch) SYNCLINE_RETURN_IF_ERROR(flush());
  }
  SYNCLINE_RETURN_IF_ERROR(flush());
  return count;
}

std::string SettingText(const Result<std::string>& r) { return r.ok() ? *r : ""; }

}  // namespace

void AddClientCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* client = app.add_subcommand(
      "client", "an offline-first client in a folder: write locally, sync when online");
  client->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto text = std::make_shared<std::string>();
  auto fail = [&ctx = ctx, exit_code](const Status& s) { *exit_code = ctx.Fail(s); };

  // init
  auto server = std::make_shared<std::string>();
  auto db = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>();
  auto password_stdin = std::make_shared<bool>(false);
  auto collections = std::make_shared<std::string>();
  auto* init = client->add_subcommand(
      "init", "make a client folder for a server's database (log in with --user)");
  init->add_option("DIR", *dir, "client folder")->required();
  init->add_option("--db", *db, "database on the server")->required();
  init->add_option("--user", *user, "log in as this user (else the API key is used)");
  init->add_flag("--password-stdin", *password_stdin, "read the password from stdin");
  init->add_option("--collections", *collections, "collections to sync by default: a,b");
  // --server is the global option (or SYNCLINE_SERVER): the server this client syncs with.
  init->callback([=, &ctx = ctx] {
    *server = ctx.server;
    auto store = CreateClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    ClientDb& cdb = (*store)->db();
    std::string ca = ctx.ca_file;
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"server", *server}, {"db", *db}, {"collections", *collections}, {"ca_file", ca},
             {"user", *user}}) {
      if (Status s = cdb.SetSetting(name, value); !s.ok()) return fail(s);
    }
    std::string token = ctx.Key();
    if (!user->empty()) {
      Result<std::string> password = ReadPassword(*password_stdin, false);
      if (!password.ok()) return fail(password.status());
      auto adapter = MakeAdapter(ctx, **store);
      if (!adapter.ok()) return fail(adapter.status());
      if (Status s = (*adapter)->Login(*user, *password); !s.ok()) return fail(s);
      token = (*adapter)->token();
    }
    if (Status s = cdb.SetSetting("token", token); !s.ok()) return fail(s);
    if (ctx.json) return ctx.PrintJson({{"dir", *dir}, {"server", *server}, {"db", *db}, {"user", *user}});
    std::cout << "client ready in " << *dir << " for " << *server << " database " << *db
              << (user->empty() ? "" : " as " + *user) << "\n";
  });

  // put, get, rm, find, import: local, no network
  auto* put = client->add_subcommand("put", "write a document locally (synced later)");
  put->add_option("DIR", *dir, "client folder")->required();
  put->add_option("COLLECTION", *collection, "collection")->required();
  put->add_option("KEY", *key, "key")->required();
  put->add_option("JSON", *text, "the document, a JSON object")->required();
  put->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    Result<Json> doc = ParseJsonObject(*text);
    if (!doc.ok()) return fail(doc.status());
    if (Status s = (*store)->Put(*collection, *key, *doc); !s.ok()) return fail(s);
    if (ctx.json) return ctx.PrintJson({{"collection", *collection}, {"key", *key}, {"pending", true}});
    std::cout << "put " << *collection << "/" << *key << " (pending)\n";
  });

  auto* get = client->add_subcommand("get", "print a local document");
  get->add_option("DIR", *dir, "client folder")->required();
  get->add_option("COLLECTION", *collection, "collection")->required();
  get->add_option("KEY", *key, "key")->required();
  get->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    Result<Json> doc = (*store)->Get(*collection, *key);
    if (!doc.ok()) return fail(doc.status());
    ctx.PrintJson(*doc);
  });

  auto* rm = client->add_subcommand("rm", "remove a document locally (synced later)");
  rm->add_option("DIR", *dir, "client folder")->required();
  rm->add_option("COLLECTION", *collection, "collection")->required();
  rm->add_option("KEY", *key, "key")->required();
  rm->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    if (Status s = (*store)->Remove(*collection, *key); !s.ok()) return fail(s);
    if (ctx.json) return ctx.PrintJson({{"collection", *collection}, {"key", *key}, {"removed", true}});
    std::cout << "removed " << *collection << "/" << *key << "\n";
  });

  auto limit = std::make_shared<int64_t>(0);
  auto* find = client->add_subcommand("find", "local documents matching a filter (JSON lines)");
  find->add_option("DIR", *dir, "client folder")->required();
  find->add_option("COLLECTION", *collection, "collection")->required();
  find->add_option("FILTER", *text, "a filter (docs/API.md, Filters); none: all");
  find->add_option("--limit", *limit, "at most this many (0: all)");
  find->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    Json filter;
    if (!text->empty()) {
      Result<Json> f = ParseJsonObject(*text);
      if (!f.ok()) return fail(f.status());
      filter = *f;
    }
    auto found = (*store)->Find(*collection, filter, static_cast<size_t>(*limit));
    if (!found.ok()) return fail(found.status());
    for (auto& [k, doc] : *found) ctx.PrintJson({{"key", k}, {"document", doc}});
  });

  auto* import = client->add_subcommand(
      "import", "load JSON lines {\"key\": K, \"document\": {...}} into a collection locally");
  import->add_option("DIR", *dir, "client folder")->required();
  import->add_option("COLLECTION", *collection, "collection")->required();
  import->add_option("FILE", *text, "the file, or - for stdin")->required();
  import->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    std::ifstream file;
    std::istream* in = &std::cin;
    if (*text != "-") {
      file.open(*text);
      if (!file) return fail(Status::NotFound("cannot open " + *text));
      in = &file;
    }
    Result<int64_t> n = ImportLines(*in, **store, *collection);
    if (!n.ok()) return fail(n.status());
    if (ctx.json) return ctx.PrintJson({{"collection", *collection}, {"imported", *n}});
    std::cout << "imported " << *n << " documents into " << *collection << " (pending)\n";
  });

  // status, errors, handle, logs
  auto* status = client->add_subcommand(
      "status", "server, client id, pending and failed operations, cursors, statistics");
  status->add_option("DIR", *dir, "client folder")->required();
  status->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    ClientDb& cdb = (*store)->db();
    auto pending = (*store)->Pending("");
    auto cols = (*store)->Collections();
    auto logs = cdb.Logs(0);
    if (!pending.ok() || !cols.ok() || !logs.ok()) {
      return fail(!pending.ok() ? pending.status() : !cols.ok() ? cols.status() : logs.status());
    }
    int64_t failed = 0;
    for (const PendingOperation& op : *pending) failed += op.state == "failed";
    Json stats = {{"syncs", 0}, {"failed_syncs", 0}, {"average_duration_ms", 0},
                  {"bytes_transferred", 0}, {"documents_up", 0}, {"documents_down", 0}};
    int64_t syncs = 0, bad = 0, micros = 0, bytes = 0, up = 0, down = 0;
    Json last_sync = nullptr;
    for (const Json& e : *logs) {
      if (JsonText(e, "event") != "sync") continue;
      ++syncs;
      bad += JsonText(e, "status") != "ok";
      micros += JsonNumber(e, "duration_micros");
      bytes += JsonNumber(e, "bytes");
      up += JsonNumber(e, "uploaded");
      down += JsonNumber(e, "downloaded");
      last_sync = e;
    }
    stats = {{"syncs", syncs}, {"failed_syncs", bad},
             {"average_duration_ms", syncs ? micros / syncs / 1000 : 0},
             {"bytes_transferred", bytes}, {"documents_up", up}, {"documents_down", down}};
    Json collections = Json::array();
    for (const std::string& c : *cols) {
      auto cursor = cdb.GetCursor(c);
      auto count = (*store)->Count(c);
      collections.push_back({{"collection", c}, {"documents", count.ok() ? *count : 0},
                             {"synced_at", cursor.ok() ? cursor->synced_at : 0},
                             {"schema_version", cursor.ok() ? cursor->schema_version : 0}});
    }
    Json out = {{"server", SettingText(cdb.GetSetting("server"))},
                {"db", SettingText(cdb.GetSetting("db"))},
                {"user", SettingText(cdb.GetSetting("user"))},
                {"client_id", SettingText(cdb.GetSetting("client_id"))},
                {"pending", static_cast<int64_t>(pending->size()) - failed},
                {"failed", failed},
                {"collections", collections},
                {"last_sync", last_sync},
                {"statistics", stats}};
    if (ctx.json) return ctx.PrintJson(out);
    std::cout << "server     " << JsonText(out, "server") << " database " << JsonText(out, "db")
              << "\nclient id  " << (JsonText(out, "client_id").empty() ? "(not registered yet)"
                                                                        : JsonText(out, "client_id"))
              << "\npending    " << JsonNumber(out, "pending") << "\nfailed     " << failed
              << (failed ? " (see `syncline client errors`)" : "") << "\nlast sync  "
              << (last_sync.is_null() ? std::string("never")
                                      : JsonText(last_sync, "status") + ", " +
                                            std::to_string(JsonNumber(last_sync, "uploaded")) +
                                            " up, " +
                                            std::to_string(JsonNumber(last_sync, "downloaded")) +
                                            " down")
              << "\nsyncs      " << syncs << " (" << bad << " failed), average "
              << JsonNumber(stats, "average_duration_ms") << " ms, " << HumanBytes(bytes)
              << "\n";
    for (const Json& c : collections) {
      int64_t n = JsonNumber(c, "documents");
      std::cout << "  " << JsonText(c, "collection") << ": " << n
                << (n == 1 ? " document\n" : " documents\n");
    }
  });

  auto* errors = client->add_subcommand("errors", "operations the server refused, not handled");
  errors->add_option("DIR", *dir, "client folder")->required();
  errors->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    auto pending = (*store)->Pending("");
    if (!pending.ok()) return fail(pending.status());
    Json out = Json::array();
    std::vector<std::vector<std::string>> rows;
    for (const PendingOperation& op : *pending) {
      if (op.state != "failed") continue;
      out.push_back(OperationJson(op));
      rows.push_back({op.op_id, op.collection + "/" + op.key, op.error, op.code, op.message});
    }
    if (ctx.json) return ctx.PrintJson(out);
    if (rows.empty()) {
      std::cout << "no failed operations\n";
      return;
    }
    PrintTable({"OP_ID", "DOCUMENT", "ERROR", "CODE", "MESSAGE"}, rows);
  });

  auto action = std::make_shared<std::string>();
  auto* handle = client->add_subcommand(
      "handle", "deal with a failed operation: delete|recreate (create errors), retry|rollback "
                "(update errors), retry (delete errors)");
  handle->add_option("DIR", *dir, "client folder")->required();
  handle->add_option("OP_ID", *key, "operation id (see `client errors`)")->required();
  handle->add_option("ACTION", *action, "delete, recreate, retry or rollback")->required();
  handle->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    Result<FailureAction> a = ParseFailureAction(*action);
    if (!a.ok()) return fail(a.status());
    if (Status s = (*store)->db().Handle(*key, *a, 0); !s.ok()) return fail(s);
    if (ctx.json) return ctx.PrintJson({{"op_id", *key}, {"action", *action}});
    std::cout << *action << ": " << *key << "\n";
  });

  auto export_file = std::make_shared<std::string>();
  auto* logs = client->add_subcommand("logs", "the sync log (JSON lines), or --export to a file");
  logs->add_option("DIR", *dir, "client folder")->required();
  logs->add_option("--export", *export_file, "write the log as one JSON array to this file");
  logs->callback([=, &ctx = ctx] {
    auto store = OpenClientDir(*dir);
    if (!store.ok()) return fail(store.status());
    auto events = (*store)->db().Logs(0);
    if (!events.ok()) return fail(events.status());
    if (export_file->empty()) {
      for (const Json& e : *events) ctx.PrintJson(e);
      return;
    }
    Json all = Json::array();
    for (const Json& e : *events) all.push_back(e);
    if (Status s = Env::Default()->fs->WriteFileAtomic(*export_file, DumpJson(all) + "\n", 0644);
        !s.ok()) {
      return fail(s);
    }
    if (ctx.json) return ctx.PrintJson({{"exported", events->size()}, {"file", *export_file}});
    std::cout << "exported " << events->size() << " events to " << *export_file << "\n";
  });

  AddClientSyncVerbs(*client, ctx, exit_code);
}

}  // namespace syncline
