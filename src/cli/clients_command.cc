// `syncline clients ls|rm`: the offline-first clients registered with a database.
#include <iostream>

#include "cli/commands.h"
#include "net/url.h"
#include "util/json_reader.h"

namespace syncline {

void AddClientsCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* clients = app.add_subcommand("clients", "list and remove a database's registered clients");
  clients->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();

  auto* ls = clients->add_subcommand("ls", "list clients: who, what platform, last seen, cursors");
  ls->add_option("DB", *db, "database")->required();
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DbPath(*db) + "/clients");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json out = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(out);
    std::vector<std::vector<std::string>> rows;
    for (const Json& c : out) {
      const Json& p = JsonField(c, "platform");
      std::string platform = JsonText(p, "name") + " " + JsonText(p, "version");
      std::string cols;
      for (const Json& col : JsonField(c, "collections")) {
        if (!cols.empty()) cols += ", ";
        cols += JsonText(col, "collection") + "@" + std::to_string(JsonNumber(col, "etag"));
      }
      rows.push_back({JsonText(c, "client_id"), JsonText(c, "user"), platform,
                      std::to_string(JsonNumber(c, "last_seen_at") / 1000000),
                      cols.empty() ? "-" : cols});
    }
    PrintTable({"CLIENT_ID", "USER", "PLATFORM", "LAST_SEEN", "COLLECTIONS"}, rows);
  });

  auto* rm = clients->add_subcommand(
      "rm", "remove a client: its next request gets unknown-client and it registers again");
  rm->add_option("DB", *db, "database")->required();
  rm->add_option("ID", *id, "client id")->required();
  rm->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", DbPath(*db) + "/clients/" + PercentEncode(*id));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    std::cout << "removed client " << *id << "\n";
  });
}

}  // namespace syncline
