// `syncline db create|ls|rm`.
#include <iostream>

#include "cli/commands.h"

namespace syncline {

void AddDbCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* db = app.add_subcommand("db", "create, list and remove databases");
  db->require_subcommand(1);
  auto name = std::make_shared<std::string>();

  auto* create = db->add_subcommand("create", "create a database");
  create->add_option("NAME", *name, "database name: a-z, 0-9, '_', '-'")->required();
  create->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("PUT", "/v1/db/" + PathOf(*name));
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
    if (ctx.json) {
      Json out = Json::array();
      for (const auto& d : list) out.push_back({{"name", d["name"]}, {"last_etag", d["last_etag"]}});
      ctx.PrintJson(out);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : list) {
      rows.push_back({d["name"].get<std::string>(), std::to_string(d["last_etag"].get<int64_t>())});
    }
    PrintTable({"NAME", "LAST_ETAG"}, rows);
  });

  auto* rm = db->add_subcommand("rm", "remove a database and everything in it");
  rm->add_option("NAME", *name, "database name")->required();
  rm->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", "/v1/db/" + PathOf(*name));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) ctx.PrintJson({{"name", *name}, {"deleted", true}});
    else std::cout << "removed database " << *name << "\n";
  });
}

}  // namespace syncline
