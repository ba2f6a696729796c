// `syncline dest add|ls|enable|disable|rm`: where a database pushes its changes.
#include <iostream>

#include "cli/commands.h"
#include "util/json_reader.h"
#include "net/url.h"

namespace syncline {

namespace {

std::string DestPath(const std::string& db) { return DbPath(db) + "/destinations"; }

// LAST_ETAG as a user should read it: before the first successful run there is no etag yet,
// only "syncing" (a worker is at it) or "-" (nothing has run).
std::string LastEtagColumn(const Json& d) {
  if (JsonNumber(d, "last_success_at") > 0) return std::to_string(JsonNumber(d, "last_etag"));
  std::string state = JsonText(JsonField(d, "worker"), "state");
  return state == "running" || state == "waiting" ? "syncing" : "-";
}

void PrintDestinations(const CliContext& ctx, const Json& list) {
  if (ctx.json) {
    ctx.PrintJson(list);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : list) {
    rows.push_back({JsonText(d, "url"), JsonText(d, "remote_db"),
                    JsonFlag(d, "enabled") ? "yes" : "no", JsonText(JsonField(d, "worker"), "state", "-"),
                    LastEtagColumn(d), JsonText(d, "last_error", "-")});
  }
  PrintTable({"URL", "REMOTE_DB", "ENABLED", "STATE", "LAST_ETAG", "LAST_ERROR"}, rows);
}

}  // namespace

void AddDestCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* dest = app.add_subcommand("dest", "configure the destinations a database syncs to");
  dest->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  auto remote_db = std::make_shared<std::string>();
  auto remote_key = std::make_shared<std::string>();

  auto* add = dest->add_subcommand("add", "add a destination (enabled: syncing starts at once)");
  add->add_option("DB", *db, "database")->required();
  add->add_option("URL", *url, "the destination node, e.g. http://10.0.0.2:8080")->required();
  add->add_option("--db", *remote_db, "database on the destination (default: the same name)");
  add->add_option("--remote-key", *remote_key, "the destination's API key");
  add->callback([=, &ctx = ctx] {
    Json body = {{"url", *url}, {"remote_db", *remote_db}, {"remote_key", *remote_key}};
    auto r = ctx.Client().Send("POST", DestPath(*db), body.dump());
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json d = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(d);
    else std::cout << "added destination " << JsonText(d, "url") << " (database " << JsonText(d, "remote_db") << ")\n";
  });

  auto* ls = dest->add_subcommand("ls", "list destinations with their last error");
  ls->add_option("DB", *db, "database")->required();
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DestPath(*db));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    PrintDestinations(ctx, Json::parse(r->body, nullptr, false));
  });

  for (bool enable : {true, false}) {
    auto* c = dest->add_subcommand(enable ? "enable" : "disable",
                                   enable ? "resume syncing to a destination" : "stop syncing to a destination");
    c->add_option("DB", *db, "database")->required();
    c->add_option("URL", *url, "destination URL")->required();
    c->callback([=, &ctx = ctx] {
      auto r = ctx.Client().Send("PATCH", DestPath(*db), Json{{"url", *url}, {"enabled", enable}}.dump());
      if (!r.ok()) {
        *exit_code = ctx.Fail(r.status());
        return;
      }
      Json d = Json::parse(r->body, nullptr, false);
      if (ctx.json) ctx.PrintJson(d);
      else std::cout << (enable ? "enabled " : "disabled ") << JsonText(d, "url") << "\n";
    });
  }

  auto* rm = dest->add_subcommand("rm", "remove a destination");
  rm->add_option("DB", *db, "database")->required();
  rm->add_option("URL", *url, "destination URL")->required();
  rm->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", DestPath(*db) + "?url=" + PercentEncode(*url));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) ctx.PrintJson(Json::parse(r->body, nullptr, false));
    else std::cout << "removed destination " << *url << "\n";
  });
}

}  // namespace syncline
