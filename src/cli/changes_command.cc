// `syncline changes`: the change feed, with long-poll.
#include <iostream>

#include "cli/commands.h"

namespace syncline {

void AddChangesCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("changes", "list changes of a database since an etag");
  auto db = std::make_shared<std::string>();
  auto since = std::make_shared<int64_t>(0);
  auto limit = std::make_shared<int64_t>(1000);
  auto wait = std::make_shared<int64_t>(-1);
  cmd->add_option("DB", *db, "database")->required();
  cmd->add_option("--since", *since, "list changes after this etag (default 0)");
  cmd->add_option("--limit", *limit, "at most this many changes (default 1000)");
  cmd->add_option("--wait", *wait, "if nothing is new, wait up to SECONDS for a change");
  cmd->callback([=, &ctx = ctx] {
    std::string path = "/v1/db/" + PathOf(*db) + "/changes?since=" + std::to_string(*since) +
                       "&limit=" + std::to_string(*limit);
    if (*wait >= 0) path += "&wait=" + std::to_string(*wait);
    auto r = ctx.Client().Send("GET", path);
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json page = Json::parse(r->body, nullptr, false);
    if (ctx.json) {
      ctx.PrintJson(page);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : page["changes"]) {
      std::string what = c["kind"] == "file" ? c["name"].get<std::string>()
                                             : c["collection"].get<std::string>() + "/" +
                                                   c["key"].get<std::string>();
      rows.push_back({std::to_string(c["etag"].get<int64_t>()), c["kind"].get<std::string>(), what,
                      c["deleted"].get<bool>() ? "deleted" : ""});
    }
    PrintTable({"ETAG", "KIND", "NAME", "STATE"}, rows);
    std::cout << "last etag: " << page["last_etag"].get<int64_t>() << "\n";
  });
}

}  // namespace syncline
