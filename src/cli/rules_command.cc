// `syncline rules set|get|rm`: a collection's validation rule, immutable fields and whether it
// allows deletes (docs/API.md, "Collection rules").
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "net/url.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string RulesPath(const std::string& db, const std::string& collection) {
  return DbPath(db) + "/rules/" + PercentEncode(collection);
}

void PrintRules(const CliContext& ctx, const Json& out) {
  if (ctx.json) return ctx.PrintJson(out);
  const Json& rules = JsonField(out, "rules");
  std::cout << "schema_version " << JsonNumber(out, "schema_version") << "\n"
            << (rules.is_null() ? std::string("no rules") : rules.dump(2)) << "\n";
}

}  // namespace

void AddRulesCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* rules = app.add_subcommand("rules", "set, show and remove a collection's rules");
  rules->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto text = std::make_shared<std::string>();
  auto send = [&ctx = ctx, exit_code](const std::string& method, const std::string& path,
                                      const std::string& body) {
    auto r = ctx.Client().Send(method, path, body, {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    PrintRules(ctx, ParseStoredJson(r->body));
  };

  auto* set = rules->add_subcommand(
      "set", "replace a collection's rules: {\"validate\": FILTER, \"immutable\": [FIELD, ...], "
             "\"allow_delete\": BOOL}");
  set->add_option("DB", *db, "database")->required();
  set->add_option("COLLECTION", *collection, "collection")->required();
  set->add_option("RULES_JSON", *text, "the rules as JSON, or - to read them from stdin")
      ->required();
  set->callback([=] {
    std::string body = *text;
    if (body == "-") {
      body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    send("PUT", RulesPath(*db, *collection), body);
  });

  auto* get = rules->add_subcommand("get", "show a collection's rules and schema version");
  get->add_option("DB", *db, "database")->required();
  get->add_option("COLLECTION", *collection, "collection")->required();
  get->callback([=] { send("GET", RulesPath(*db, *collection), ""); });

  auto* rm = rules->add_subcommand("rm", "remove a collection's rules (the version still goes up)");
  rm->add_option("DB", *db, "database")->required();
  rm->add_option("COLLECTION", *collection, "collection")->required();
  rm->callback([=] { send("DELETE", RulesPath(*db, *collection), ""); });
}

}  // namespace syncline
