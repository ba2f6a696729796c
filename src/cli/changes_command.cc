// `syncline changes`: the change feed, with long-poll.
#include <iostream>

#include "cli/commands.h"
#include "util/json_reader.h"

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
    std::string path = DbPath(*db) + "/changes?since=" + std::to_string(*since) +
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
    for (const auto& c : JsonField(page, "changes")) {
      std::string what = JsonText(c, "kind") == "file" ? JsonText(c, "name")
                                             : JsonText(c, "collection") + "/" +
                                                   JsonText(c, "key");
      rows.push_back({std::to_string(JsonNumber(c, "etag")), JsonText(c, "kind"), what,
                      JsonFlag(c, "deleted") ? "deleted" : ""});
    }
    PrintTable({"ETAG", "KIND", "NAME", "STATE"}, rows);
    std::cout << "last etag: " << JsonNumber(page, "last_etag") << "\n";
  });
}

}  // namespace syncline
