// `syncline replicate collection` and `syncline job status|ls|cancel|resume`: collection sync
// from a master (seed 004), run as a job on the replica.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/progress.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

std::string JobsPath(const std::string& db) { return DbPath(db) + "/jobs"; }

// The failure a finished job records; OK for a job that is done.
Status JobError(const Json& job) {
  Status error;
  if (Status s = ReadJsonStatus(job, "error", "error_code", &error); !s.ok()) return s;
  return error;
}

std::string Seconds(const Json& value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", value.is_number() ? value.get<double>() : 0.0);
  return buf;
}

std::string Bytes(const Json& j, const char* field) {
  return HumanBytes(static_cast<double>(JsonNumber(j, field)));
}

// A job as `job status` shows it; `with_error` false when the caller prints the error itself.
void PrintJob(const Json& job, bool with_error = true) {
  const Json& p = JsonField(job, "progress");
  const Json& r = JsonField(job, "result");
  std::string state = JsonText(job, "state");
  std::cout << "job " << JsonText(job, "id") << ": " << JsonText(job, "collection") << " from "
            << JsonText(JsonField(job, "master"), "url") << ", " << JsonText(job, "method")
            << ", " << state;
  if (state == "running") {
    std::cout << " (" << JsonText(p, "phase", "starting") << "), " << JsonNumber(p, "documents")
              << " documents, " << Bytes(p, "bytes") << " so far\n";
    return;
  }
  std::cout << "\n";
  if (r.is_object()) {
    std::cout << "  inserted " << JsonNumber(r, "inserted") << ", updated "
              << JsonNumber(r, "updated") << ", removed " << JsonNumber(r, "removed")
              << ", unchanged " << JsonNumber(r, "unchanged") << "\n"
              << "  transferred " << JsonNumber(r, "documents_transferred") << " documents, "
              << Bytes(r, "bytes_transferred") << ", in " << Seconds(JsonField(r, "duration_seconds"))
              << "; the master was at etag " << JsonNumber(r, "master_etag") << "\n";
  }
  if (with_error && JsonField(job, "error").is_string()) {
    std::cout << "  error: " << JsonText(job, "error") << " (" << JsonText(job, "error_code")
              << ")" << (JsonFlag(job, "resumable") ? "; `syncline job resume` runs it again" : "")
              << "\n";
  }
}

// Polls the job until it ends, drawing its bytes on a terminal. The job's last state.
Result<Json> FollowJob(const CliContext& ctx, const std::string& db, const std::string& id,
                       const std::string& label) {
  HttpClient client = ctx.Client();
  ProgressBar bar(label);
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(HttpResponse r, client.Send("GET", JobsPath(db) + "/" + id));
    SYNCLINE_ASSIGN_OR_RETURN(Json job, ParseJsonObject(r.body));
    std::string state = JsonText(job, "state");
    if (state != "running" && state != "pending") {
      if (state == "done") {
        bar.Update(static_cast<uint64_t>(JsonNumber(JsonField(job, "progress"), "bytes")), 0);
        bar.Finish();
      } else {
        bar.Interrupt();
      }
      return job;
    }
    bar.Update(static_cast<uint64_t>(JsonNumber(JsonField(job, "progress"), "bytes")), 0);
    // A person watches this: a fifth of a second between looks is quick enough and cheap.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Prints a job's end and sets the exit code from it.
int Report(const CliContext& ctx, const Json& job) {
  if (ctx.json) {
    ctx.PrintJson(job);
  } else {
    PrintJob(job, /*with_error=*/false);
  }
  Status error = JobError(job);
  if (error.ok()) return 0;
  return ctx.Fail(error);
}

}  // namespace

void AddReplicateCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* replicate = app.add_subcommand("replicate", "bring a collection up to date from a master");
  replicate->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto collection = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto from_db = std::make_shared<std::string>();
  auto from_key = std::make_shared<std::string>();
  auto incremental = std::make_shared<bool>(false);
  auto method = std::make_shared<std::string>("merkle");
  auto max_wait = std::make_shared<int64_t>(300);
  auto async = std::make_shared<bool>(false);
  auto yes = std::make_shared<bool>(false);
  auto follow = std::make_shared<bool>(false);

  auto* coll = replicate->add_subcommand(
      "collection",
      "sync COLLECTION of DB from a master. Without --incremental it REPLACES the collection's "
      "documents with the master's");
  coll->add_option("DB", *db, "the database here (the replica)")->required();
  coll->add_option("COLLECTION", *collection, "the collection to sync")->required();
  coll->add_option("--from", *from, "the master's URL, e.g. http://10.0.0.5:8080")->required();
  coll->add_option("--from-db", *from_db, "the master's database (default: DB)");
  coll->add_option("--from-key", *from_key, "the master's API key");
  coll->add_flag("--incremental", *incremental, "transfer only what differs; keep the rest");
  coll->add_option("--method", *method, "how an incremental sync finds differences: merkle (default) or keys")
      ->check(CLI::IsMember({"merkle", "keys"}));
  coll->add_option("--max-wait", *max_wait, "give up after this many seconds without an answer from the master (default 300)");
  coll->add_flag("--async", *async, "start it and print the job id; `syncline job status` follows it");
  coll->add_flag("--follow", *follow, "then keep applying the master's changes; refuses local writes to the collection until `replicate stop`");
  coll->add_flag("--yes,-y", *yes, "do not ask before a full sync (it asks only when stdin is a terminal)");
  coll->callback([=, &ctx = ctx] {
    if (!*incremental) {
      std::string warning = "A full sync replaces every document of collection '" + *collection +
                            "' in database '" + *db + "' with the master's.";
      if (!*yes && ::isatty(STDIN_FILENO) == 1) {
        if (!Confirm(warning + " Go on?")) {
          *exit_code = ctx.Fail(Status::PreconditionFailed("not confirmed: nothing changed"));
          return;
        }
      } else if (!ctx.json) {
        std::cerr << "warning: " << warning << "\n";
      }
    }
    Json body = {{"collection", *collection}, {"from", *from}, {"incremental", *incremental},
                 {"max_wait", *max_wait}, {"async", true}, {"follow", *follow}};
    if (*incremental) body["method"] = *method;
    if (!from_db->empty()) body["from_db"] = *from_db;
    if (!from_key->empty()) body["from_key"] = *from_key;
    auto r = ctx.Client().Send("POST", DbPath(*db) + "/collection-sync", DumpJson(body),
                               {{"Content-Type", "application/json"}});
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json job = ParseStoredJson(r->body);
    if (*async) {
      if (ctx.json) return ctx.PrintJson(job);
      std::cout << "started job " << JsonText(job, "id") << "; follow it with: syncline job status "
                << *db << " " << JsonText(job, "id") << "\n";
      return;
    }
    auto done = FollowJob(ctx, *db, JsonText(job, "id"), "replicate " + *collection);
    if (!done.ok()) {
      *exit_code = ctx.Fail(done.status());
      return;
    }
    *exit_code = Report(ctx, *done);
  });

  auto* ls = replicate->add_subcommand("ls", "the collections that follow a master, with their lag");
  ls->add_option("DB", *db, "database")->required();
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", DbPath(*db) + "/followers");
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json list = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(list);
    std::vector<std::vector<std::string>> rows;
    for (const Json& f : list) {
      char lag[64];
      std::snprintf(lag, sizeof lag, "%lld etags, %.1f s", static_cast<long long>(JsonNumber(f, "lag_etags")),
                    JsonField(f, "lag_seconds").is_number() ? JsonField(f, "lag_seconds").get<double>() : 0.0);
      rows.push_back({JsonText(f, "collection"), JsonText(JsonField(f, "master"), "url"),
                      JsonText(f, "state"), std::to_string(JsonNumber(f, "checkpoint_etag")), lag,
                      JsonText(f, "error", "-")});
    }
    PrintTable({"COLLECTION", "MASTER", "STATE", "AT_ETAG", "LAG", "LAST_ERROR"}, rows);
  });

  auto* stop = replicate->add_subcommand("stop", "stop following the master; local writes are taken again");
  stop->add_option("DB", *db, "database")->required();
  stop->add_option("COLLECTION", *collection, "collection")->required();
  stop->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("DELETE", DbPath(*db) + "/followers/" + PathOf(*collection));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    std::cout << "collection " << *collection << " no longer follows its master\n";
  });
}

void AddJobCommand(CLI::App& app, const CliContext& ctx, int* exit_code) {
  auto* job = app.add_subcommand("job", "follow, cancel and resume collection sync jobs");
  job->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(25);

  auto* status = job->add_subcommand("status", "a job's state, progress and result");
  status->add_option("DB", *db, "database")->required();
  status->add_option("ID", *id, "job id")->required();
  status->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", JobsPath(*db) + "/" + PathOf(*id));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
    PrintJob(ParseStoredJson(r->body));
  });

  auto* ls = job->add_subcommand("ls", "the jobs of a database, newest first");
  ls->add_option("DB", *db, "database")->required();
  ls->add_option("--limit", *limit, "at most this many (default 25)");
  ls->callback([=, &ctx = ctx] {
    auto r = ctx.Client().Send("GET", JobsPath(*db) + "?limit=" + std::to_string(*limit));
    if (!r.ok()) {
      *exit_code = ctx.Fail(r.status());
      return;
    }
    Json list = ParseStoredJson(r->body);
    if (ctx.json) return ctx.PrintJson(list);
    std::vector<std::vector<std::string>> rows;
    for (const Json& j : list) {
      const Json& p = JsonField(j, "progress");
      rows.push_back({JsonText(j, "id"), JsonText(j, "collection"), JsonText(j, "method"),
                      JsonText(j, "state"), std::to_string(JsonNumber(p, "documents")),
                      Bytes(p, "bytes"), JsonText(j, "error", "-")});
    }
    PrintTable({"ID", "COLLECTION", "METHOD", "STATE", "DOCUMENTS", "BYTES", "ERROR"}, rows);
  });

  for (const char* action : {"cancel", "resume"}) {
    std::string what = action;
    auto* cmd = job->add_subcommand(
        what, what == "cancel" ? "stop a running job; the collection stays as it was"
                               : "run a failed or cancelled job again");
    cmd->add_option("DB", *db, "database")->required();
    cmd->add_option("ID", *id, "job id")->required();
    cmd->callback([=, &ctx = ctx] {
      auto r = ctx.Client().Send("POST", JobsPath(*db) + "/" + what, DumpJson({{"id", *id}}),
                                 {{"Content-Type", "application/json"}});
      if (!r.ok()) {
        *exit_code = ctx.Fail(r.status());
        return;
      }
      if (ctx.json) return ctx.PrintJson(ParseStoredJson(r->body));
      std::cout << (what == "cancel" ? "cancelling job " : "resumed job ") << *id << "\n";
    });
  }
}

}  // namespace syncline
