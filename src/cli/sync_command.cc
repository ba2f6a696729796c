// `syncline sync run|start|active|pending|finished|status`.
#include <iostream>

#include "cli/commands.h"
#include "cli/display.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string SyncPath(const std::string& db, const std::string& what) {
  return DbPath(db) + "/sync/" + what;
}

// A report's error as listings show it: the message, and for a conflict settled since, that
// it was (the API's "conflict_open").
std::string ErrorText(const Json& r) {
  if (!JsonField(r, "error").is_string()) return "-";
  bool settled = JsonField(r, "conflict_open").is_boolean() && !JsonFlag(r, "conflict_open");
  return JsonText(r, "error") + (settled ? " (resolved since)" : "");
}

void PrintReportLine(const Json& r) {
  std::cout << "  " << ItemLabel(r) << "  " << JsonText(r, "type") << "  "
            << (JsonField(r, "error").is_string() ? "error: " + ErrorText(r) : std::string("ok"))
            << "  sent " << HumanBytes(static_cast<double>(JsonNumber(r, "bytes_transferred"))) << ", copied "
            << HumanBytes(static_cast<double>(JsonNumber(r, "bytes_copied"))) << ", need list "
            << JsonNumber(r, "need_list_length") << "\n";
}

// The failure a report (or a destination's run) records, if any.
Status ReportError(const Json& r) {
  Status error;
  if (Status s = ReadJsonStatus(r, "error", "error_code", &error); !s.ok()) return s;
  return error;
}

}  // namespace

void AddSyncCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* sync = app.add_subcommand("sync", "run and watch server-to-server synchronization");
  sync->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto to = std::make_shared<std::string>();
  auto to_db = std::make_shared<std::string>();
  auto to_key = std::make_shared<std::string>();
  auto start = std::make_shared<int64_t>(0);
  auto page_size = std::make_shared<int64_t>(25);

  auto* run = sync->add_subcommand("run", "sync every enabled destination now");
  run->add_option("DB", *db, "database")->required();
  run->add_flag("--force", *force, "each finished item starts the next pending one while slots are free");
  run->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("POST", SyncPath(*db, "run") + (*force ? "?force=1" : ""));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json runs = Json::parse(r->body, nullptr, false);
    Status failed;  // the first destination that failed
    for (const auto& d : runs) {
      if (Status s = ReportError(d); failed.ok() && !s.ok()) failed = s.WithContext(JsonText(d, "destination_url"));
    }
    if (ctx.json) {
      ctx.PrintJson(runs);  // all the API says, as the API says it
    } else {
      if (runs.empty()) std::cout << "no enabled destinations\n";
      for (const auto& d : runs) {
        // Older servers send no totals: count the reports then.
        const Result<int64_t> count =
            JsonIntOr(d, "items", static_cast<int64_t>(JsonField(d, "reports").size()));
        std::cout << JsonText(d, "destination_url") << ": "
                  << (JsonField(d, "error").is_string() ? "error: " + JsonText(d, "error")
                                             : std::to_string(count.ok() ? *count : 0) + " items")
                  << (JsonFlag(d, "more_pending") ? " (more pending)" : "") << "\n";
        for (const auto& rep : JsonField(d, "reports")) PrintReportLine(rep);
        const Result<int64_t> omitted = JsonIntOr(d, "reports_omitted", 0);
        if (omitted.ok() && *omitted > 0) {
          std::cout << "  ... and " << *omitted << " more (see `syncline sync status`)\n";
        }
      }
    }
    if (!failed.ok()) *exit_code = ctx.Fail(failed);
  });

  auto* st = sync->add_subcommand("start", "sync one file (or document) to any server now");
  st->add_option("DB", *db, "database")->required();
  st->add_option("NAME", *name, "file name, or document key with --collection")->required();
  st->add_option("--to", *to, "destination node URL")->required();
  st->add_option("--to-db", *to_db, "database there (default: the same name)");
  st->add_option("--to-key", *to_key, "API key there (default: the configured destination's)");
  st->add_option("--collection", *collection, "the item is a document of this collection");
  st->callback([=, &ctx = ctx] {
    Json body = ItemFields(*name, *collection);
    body.update({{"url", *to}, {"remote_db", *to_db}, {"remote_key", *to_key}});
    auto r = ctx.Client().Send("POST", SyncPath(*db, "start"), body.dump());
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json rep = Json::parse(r->body, nullptr, false);
    if (ctx.json) ctx.PrintJson(rep);
    else PrintReportLine(rep);
    // The request went through but the item did not: that is a failure of this verb.
    if (Status s = ReportError(rep); !s.ok()) {
      // Named once: most messages name the item already ("file a.jpg is conflicted").
      std::string label = ItemLabel(rep);
      *exit_code = ctx.Fail(s.message().find(label) == std::string::npos ? s.WithContext(label) : s);
    }
  });

  for (const char* what : {"active", "pending", "finished"}) {
    std::string w = what;
    auto* c = sync->add_subcommand(
        w, w == "active"    ? "items being pushed now"
           : w == "pending" ? "items queued to be pushed"
                            : "items this node has received and finished, newest first");
    c->add_option("DB", *db, "database")->required();
    c->add_option("--start", *start, "skip this many entries");
    c->add_option("--page-size", *page_size, "entries per page (default 25)");
    c->callback([=, &ctx = ctx] {
      auto r = ctx.Client().Send("GET", SyncPath(*db, w) + "?start=" + std::to_string(*start) +
                                            "&page_size=" + std::to_string(*page_size));
      if (!r.ok()) {
        *exit_code = ctx.Fail(r.status());
        return;
      }
      Json page = Json::parse(r->body, nullptr, false);
      if (ctx.json) return ctx.PrintJson(page);  // all the API says, as it says it
      if (JsonNumber(page, "total") == 0) {
        std::cout << "nothing " << w << "\n";
        return;
      }
      std::vector<std::vector<std::string>> rows;
      for (const auto& i : JsonField(page, "items")) {
        rows.push_back({ItemLabel(i), JsonText(i, "type"), std::to_string(JsonNumber(i, "etag")),
                        JsonText(i, w == "finished" ? "source_url" : "destination_url"),
                        ErrorText(i)});
      }
      PrintTable({"NAME", "TYPE", "ETAG", w == "finished" ? "SOURCE" : "DESTINATION", "ERROR"}, rows);
      std::cout << JsonNumber(page, "total") << " in all\n";
    });
  }

  auto* status = sync->add_subcommand("status", "the last sync report of one item");
  status->add_option("DB", *db, "database")->required();
  status->add_option("NAME", *name, "file name, or document key with --collection")->required();
  status->add_option("--collection", *collection, "the item is a document of this collection");
  status->callback([=, &ctx = ctx] {
    auto r = SendForItem(*name, *collection, [&](const std::string& n, const std::string& c) {
      return ctx.Client().Send("GET", SyncPath(*db, "status") + ItemQuery(n, c));
    });
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json rep = Json::parse(r->body, nullptr, false);
    if (ctx.json) {
      ctx.PrintJson(rep);
      return;
    }
    std::cout << JsonText(rep, "source_url") << " -> " << JsonText(rep, "destination_url") << "\n";
    PrintReportLine(rep);
  });
}

}  // namespace syncline
