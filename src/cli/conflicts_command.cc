// `syncline conflicts ls|show|resolve`.
#include <iostream>

#include "cli/commands.h"
#include "cli/display.h"
#include "util/json_reader.h"

namespace syncline {

void AddConflictsCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* conflicts = app.add_subcommand("conflicts", "list, inspect and resolve sync conflicts");
  conflicts->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto keep = std::make_shared<std::string>();
  auto base = [](const std::string& d) { return DbPath(d) + "/conflicts"; };

  auto* ls = conflicts->add_subcommand("ls", "list conflicted items");
  ls->add_option("DB", *db, "database")->required();
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", base(*db));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json list = Json::parse(r->body, nullptr, false);
    if (ctx.json) return ctx.PrintJson(list);  // all the API says: whole node ids too
    // This node's entry first in each version vector (best effort: health needs no key).
    auto health = ctx.Client().Send("GET", "/v1/health");
    std::string here = health.ok() ? JsonText(Json::parse(health->body, nullptr, false), "node_id") : "";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : list) {
      rows.push_back({ItemLabel(c), JsonText(c, "kind"), JsonText(c, "remote_url"),
                      ShortVersionVector(JsonField(c, "local_version"), here),
                      ShortVersionVector(JsonField(c, "remote_version"), here)});
    }
    PrintTable({"NAME", "KIND", "REMOTE_URL", "LOCAL_VERSION", "REMOTE_VERSION"}, rows);
  });

  auto* show = conflicts->add_subcommand("show", "show both versions of a conflicted item");
  show->add_option("DB", *db, "database")->required();
  show->add_option("NAME", *name, "file name, or document key with --collection")->required();
  show->add_option("--collection", *collection, "the item is a document of this collection");
  show->callback([=, &ctx = ctx] {
    auto r = SendForItem(*name, *collection, [&](const std::string& n, const std::string& c) {
      return ctx.Client().Send("GET", base(*db) + "/item" + ItemQuery(n, c));
    });
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json c = Json::parse(r->body, nullptr, false);
    if (ctx.json) {
      ctx.PrintJson(c);
      return;
    }
    std::cout << "conflict on " << ItemLabel(c) << " with " << JsonText(c, "remote_url")
              << " (current etag " << JsonNumber(c, "local_etag") << ")\n"
              << "current: " << JsonField(c, "local_item").dump(2, ' ', false, Json::error_handler_t::replace) << "\n"
              << "remote:  " << JsonField(c, "remote_item").dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  });

  auto* resolve = conflicts->add_subcommand("resolve", "resolve a conflict by keeping one version");
  resolve->add_option("DB", *db, "database")->required();
  resolve->add_option("NAME", *name, "file name, or document key with --collection")->required();
  resolve->add_option("--collection", *collection, "the item is a document of this collection");
  resolve->add_option("--keep", *keep, "remote: take the incoming version; current: keep this one")
      ->required()
      ->check(CLI::IsMember({"remote", "current"}));
  auto if_match = std::make_shared<int64_t>(-1);
  resolve->add_option("--if-match", *if_match,
                      "only if the current version's etag is still ETAG (as `conflicts show` printed)");
  resolve->callback([=, &ctx = ctx] {
    auto r = SendForItem(*name, *collection, [&](const std::string& n, const std::string& c) {
      Json body = ItemFields(n, c);
      body["keep"] = *keep;
      if (*if_match >= 0) body["if_match"] = *if_match;
      return ctx.Client().Send("POST", base(*db) + "/resolve", body.dump());
    });
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json out = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(out);
    else std::cout << "resolved " << ItemLabel(out) << ": kept the " << *keep << " version, discarded the "
                   << (*keep == "remote" ? "current" : "remote") << " one\n";
  });
}

}  // namespace syncline
