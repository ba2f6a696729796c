// `syncline db create|ls|rm|gc|stats`.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "util/json_reader.h"

namespace syncline {

void AddDbCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* db = app.add_subcommand("db", "create, list and remove databases");
  db->require_subcommand(1);
  auto name = std::make_shared<std::string>();

  auto* create = db->add_subcommand("create", "create a database");
  create->add_option("NAME", *name, "database name: a-z, 0-9, '_', '-'")->required();
  create->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("PUT", DbPath(*name));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) ctx.PrintJson({{"name", *name}});
    else std::cout << "created database " << *name << "\n";
  });

  auto* ls = db->add_subcommand("ls", "list databases");
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", "/v1/db");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json list = Json::parse(r->body, nullptr, false);
    if (ctx.json) return ctx.PrintJson(list);  // all the API says
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : list) {
      rows.push_back({JsonText(d, "name"), std::to_string(JsonNumber(d, "last_etag"))});
    }
    PrintTable({"NAME", "LAST_ETAG"}, rows);
  });

  // gc and stats print the same figures: chunk use, live and garbage.
  auto print_stats = [&ctx = ctx](const Json& s, bool after_gc) {
    if (ctx.json) {
      ctx.PrintJson(s);
      return;
    }
    auto bytes = [&](const char* f) { return HumanBytes(static_cast<double>(JsonNumber(s, f))); };
    if (after_gc) {
      std::cout << "compacted " << JsonNumber(s, "packs_compacted") << " pack(s), reclaimed "
                << bytes("bytes_reclaimed") << "\n";
    }
    std::cout << "live " << bytes("live_bytes") << " in " << JsonNumber(s, "live_chunks")
              << " chunks; garbage " << bytes("garbage_bytes") << "; on disk "
              << bytes("disk_bytes") << " in " << JsonNumber(s, "packs") << " pack(s)\n";
  };
  auto* gc = db->add_subcommand("gc", "reclaim the space of chunks nothing references any more");
  gc->add_option("NAME", *name, "database name")->required();
  gc->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("POST", DbPath(*name) + "/gc");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    print_stats(Json::parse(r->body, nullptr, false), true);
  });
  auto* stats = db->add_subcommand("stats", "show a database's storage: live and garbage bytes");
  stats->add_option("NAME", *name, "database name")->required();
  stats->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DbPath(*name) + "/stats");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    print_stats(Json::parse(r->body, nullptr, false), false);
  });

  auto* verify = db->add_subcommand(
      "verify", "recompute each collection's tree from its documents and repair it if it differs");
  verify->add_option("NAME", *name, "database name")->required();
  auto collection = std::make_shared<std::string>();
  verify->add_option("COLLECTION", *collection, "only this collection");
  auto no_repair = std::make_shared<bool>(false);
  verify->add_flag("--no-repair", *no_repair, "only report what is wrong");
  verify->callback([=, &ctx = ctx] {
    Json body = {{"repair", !*no_repair}};
    if (!collection->empty()) body["collection"] = *collection;
    auto r = ctx.Client().Send("POST", DbPath(*name) + "/verify", DumpJson(body),
                               {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json out = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(out);
    bool all_ok = true;
    for (const Json& c : JsonField(out, "collections")) {
      bool ok = JsonFlag(c, "ok");
      all_ok = all_ok && ok;
      std::cout << JsonText(c, "collection") << ": " << JsonNumber(c, "documents") << " documents, ";
      if (ok) {
        std::cout << "tree ok\n";
      } else {
        std::cout << "tree WRONG: " << JsonNumber(c, "wrong_documents") << " document hash(es) and "
                  << JsonNumber(c, "wrong_nodes") << " node(s) did not match"
                  << (JsonFlag(c, "repaired") ? "; repaired" : "; not repaired (--no-repair)") << "\n";
      }
    }
    if (!all_ok && *no_repair) *exit_code = 1;
  });

  auto* rm = db->add_subcommand("rm", "remove a database and everything in it");
  rm->add_option("NAME", *name, "database name")->required();
  auto yes = std::make_shared<bool>(false);
  rm->add_flag("--yes,-y", *yes, "do not ask (it asks only when stdin is a terminal)");
  rm->callback([=, &ctx = ctx] {
    if (!*yes && ::isatty(STDIN_FILENO) == 1 && !Confirm("Remove database '" + *name + "' and everything in it?")) {
      *exit_code = ctx.Fail(Status::PreconditionFailed("database '" + *name + "' was not removed: not confirmed"));
      return;
    }
    auto r = ctx.Client().Send("DELETE", DbPath(*name));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) ctx.PrintJson({{"name", *name}, {"deleted", true}});
    else std::cout << "removed database " << *name << "\n";
  });
}

}  // namespace syncline
