// `syncline doc put|get|rm|ls|find`.
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "net/url.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string ReadStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

std::string DocPath(const std::string& db, const std::string& collection, const std::string& key) {
  return DbPath(db) + "/docs/" + PercentEncode(collection) + "/" + PathOf(key);
}

int64_t EtagOf(const HttpResponse& r) {
  const std::string* e = r.Header("etag");
  if (!e) return 0;
  std::string v = *e;
  if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
  return std::atoll(v.c_str());
}

// A list of documents from the API (`body`, of which the first `count` are shown), each
// document in its stored key order: ordered_json keeps it where Json would sort.
void PrintDocuments(const CliContext& ctx, const std::string& body, size_t count) {
  using Ordered = nlohmann::ordered_json;
  Ordered docs = Ordered::parse(body, nullptr, false);
  if (!docs.is_array()) docs = Ordered::array();
  while (docs.size() > count) docs.erase(docs.size() - 1);
  if (ctx.json) {
    std::cout << docs.dump(-1, ' ', false, Ordered::error_handler_t::replace) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : docs) {
    Json info = Json::parse(d.dump(), nullptr, false);  // for the checked accessors
    const auto document = d.is_object() && d.contains("document") ? d["document"] : Ordered();
    rows.push_back({JsonText(info, "key"), std::to_string(JsonNumber(info, "etag")),
                    document.dump(-1, ' ', false, Ordered::error_handler_t::replace)});
  }
  PrintTable({"KEY", "ETAG", "DOCUMENT"}, rows);
}

}  // namespace

void AddDocCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* doc = app.add_subcommand("doc", "put, get, remove, list and find JSON documents");
  doc->require_subcommand(1);
  struct Args {
    std::string db, collection, key, json, filter, fields, after;
    int64_t if_match = -1, limit = 100, offset = 0;
    bool resolve = false;
  };
  auto a = std::make_shared<Args>();
  auto fail = [exit_code, &ctx = ctx](const Status& s) { *exit_code = ctx.Fail(s); };

  auto* put = doc->add_subcommand("put", "create or replace a document");
  put->add_option("DB", a->db, "database")->required();
  put->add_option("COLLECTION", a->collection, "collection")->required();
  put->add_option("KEY", a->key, "document key")->required();
  put->add_option("JSON", a->json, "the document, a JSON object; '-' reads stdin")->required();
  put->add_option("--if-match", a->if_match, "only if the document's etag is still ETAG");
  put->add_flag("--resolve", a->resolve, "this write resolves the item's conflict (it replaces both versions)");
  put->callback([=, &ctx = ctx] {
    if (a->json == "-" && ::isatty(STDIN_FILENO) == 1) {
      std::cerr << "syncline: reading the document from the terminal; end it with Ctrl-D\n";
    }
    std::string body = a->json == "-" ? ReadStdin() : a->json;
    HttpHeaders h;
    if (a->if_match >= 0) h["If-Match"] = "\"" + std::to_string(a->if_match) + "\"";
    auto r = ctx.Client().Send(
        "PUT", DocPath(a->db, a->collection, a->key) + (a->resolve ? "?resolve=1" : ""), body, h);
    if (!r.ok()) return fail(r.status());
    Json info = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(info);
    else std::cout << "stored " << a->collection << "/" << a->key << " at etag " << JsonNumber(info, "etag") << "\n";
  });

  auto* get = doc->add_subcommand("get", "print a document");
  get->add_option("DB", a->db, "database")->required();
  get->add_option("COLLECTION", a->collection, "collection")->required();
  get->add_option("KEY", a->key, "document key")->required();
  get->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DocPath(a->db, a->collection, a->key));
    if (!r.ok()) return fail(r.status());
    // In the stored key order, as the API sends it.
    using Ordered = nlohmann::ordered_json;
    Ordered document = Ordered::parse(r->body, nullptr, false);
    if (ctx.json) {
      Ordered out = {{"etag", EtagOf(*r)},
                     {"conflict", r->Header("syncline-conflict") != nullptr},
                     {"document", std::move(document)}};
      std::cout << out.dump(-1, ' ', false, Ordered::error_handler_t::replace) << "\n";
    } else {
      if (r->Header("syncline-conflict")) {
        std::cerr << "syncline: this document is conflicted: see `syncline conflicts show`\n";
      }
      std::cout << document.dump(2, ' ', false, Ordered::error_handler_t::replace) << "\n";
    }
  });

  auto* rm = doc->add_subcommand("rm", "delete a document (it leaves a tombstone)");
  rm->add_option("DB", a->db, "database")->required();
  rm->add_option("COLLECTION", a->collection, "collection")->required();
  rm->add_option("KEY", a->key, "document key")->required();
  rm->add_option("--if-match", a->if_match, "only if the document's etag is still ETAG");
  rm->add_flag("--resolve", a->resolve, "this write resolves the item's conflict (it replaces both versions)");
  rm->callback([=, &ctx = ctx] {
    HttpHeaders h;
    if (a->if_match >= 0) h["If-Match"] = "\"" + std::to_string(a->if_match) + "\"";
    auto r = ctx.Client().Send(
        "DELETE", DocPath(a->db, a->collection, a->key) + (a->resolve ? "?resolve=1" : ""), {}, h);
    if (!r.ok()) return fail(r.status());
    Json info = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(info);
    else std::cout << "deleted " << a->collection << "/" << a->key << " at etag " << JsonNumber(info, "etag") << "\n";
  });

  auto* ls = doc->add_subcommand("ls", "list documents in key order");
  ls->add_option("DB", a->db, "database")->required();
  ls->add_option("COLLECTION", a->collection, "collection")->required();
  ls->add_option("--limit", a->limit, "at most N documents (default 100, at most 10000)")
      ->check(CLI::Range(1, 10000));
  ls->add_option("--after", a->after, "start after this key (the next page)");
  ls->callback([=, &ctx = ctx] {
    std::string path = DbPath(a->db) + "/docs/" + PercentEncode(a->collection) + "?";
    if (!a->after.empty()) path += "after=" + PercentEncode(a->after) + "&";
    auto page = ctx.FetchPage(path, a->limit);
    if (!page.ok()) return fail(page.status());
    PrintDocuments(ctx, page->body, page->items.size());
    if (page->more && !ctx.json) PrintMoreHint(JsonText(page->items.back(), "key"));
  });

  auto* find = doc->add_subcommand("find", "find documents matching a filter");
  find->add_option("DB", a->db, "database")->required();
  find->add_option("COLLECTION", a->collection, "collection")->required();
  find->add_option("FILTER_JSON", a->filter, "filter, e.g. '{\"age\": {\"$gte\": 18}}'")->required();
  find->add_option("--fields", a->fields, "comma-separated fields to return (dotted paths)");
  find->add_option("--offset", a->offset, "skip the first N matches");
  find->add_option("--limit", a->limit, "at most N matches (default 100)");
  find->callback([=, &ctx = ctx] {
    Json filter = Json::parse(a->filter, nullptr, false);
    if (filter.is_discarded()) return fail(Status::InvalidArgument("FILTER_JSON is not valid JSON"));
    Json fields = Json::array();
    for (size_t start = 0; start < a->fields.size();) {
      size_t comma = a->fields.find(',', start);
      std::string f = a->fields.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!f.empty()) fields.push_back(f);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    Json body = {{"filter", filter}, {"fields", fields}, {"offset", a->offset}, {"limit", a->limit}};
    auto r = ctx.Client().Send("POST", DbPath(a->db) + "/find/" + PercentEncode(a->collection),
                               body.dump());
    if (!r.ok()) return fail(r.status());
    PrintDocuments(ctx, r->body, SIZE_MAX);
  });
}

}  // namespace syncline
