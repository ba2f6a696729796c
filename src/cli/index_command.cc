// `syncline index create|ls|rm`: indexes on a JSON field of a collection's documents, so
// `doc find` on that field looks documents up instead of scanning the collection.
#include <iostream>

#include "cli/commands.h"
#include "net/url.h"
#include "util/json_reader.h"

namespace syncline {

void AddIndexCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* index = app.add_subcommand("index", "create, list and remove field indexes");
  index->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto field = std::make_shared<std::string>();
  auto path = [=] {
    return DbPath(*db) + "/indexes/" + PercentEncode(*collection) + "/" + PercentEncode(*field);
  };

  auto* create = index->add_subcommand(
      "create", "index a field (a dotted path) of a collection's documents");
  create->add_option("DB", *db, "database")->required();
  create->add_option("COLLECTION", *collection, "collection")->required();
  create->add_option("FIELD", *field, "field, e.g. status or address.city")->required();
  create->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("PUT", path());
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    std::cout << "indexed " << *collection << "." << *field << "\n";
  });

  auto* ls = index->add_subcommand("ls", "list a database's field indexes");
  ls->add_option("DB", *db, "database")->required();
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DbPath(*db) + "/indexes");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json out = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(out);
    std::vector<std::vector<std::string>> rows;
    for (const Json& i : out) rows.push_back({JsonText(i, "collection"), JsonText(i, "field")});
    PrintTable({"COLLECTION", "FIELD"}, rows);
  });

  auto* rm = index->add_subcommand("rm", "remove a field index");
  rm->add_option("DB", *db, "database")->required();
  rm->add_option("COLLECTION", *collection, "collection")->required();
  rm->add_option("FIELD", *field, "field")->required();
  rm->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", path());
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    std::cout << "removed index " << *collection << "." << *field << "\n";
  });
}

}  // namespace syncline
