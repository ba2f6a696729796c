// `syncline client sync|push`: runs a SyncEngine over HTTP(S) for a client folder, printing
// notifications as they come (a progress bar on a terminal).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <iostream>
#include <map>

#include "cli/client_dir.h"
#include "cli/commands.h"
#include "cli/password.h"
#include "cli/progress.h"
#include "client/client_db.h"
#include "syncline/sync_engine.h"
#include "util/json_reader.h"
#include "util/split.h"

namespace syncline {
namespace {

struct SyncFlags {
  std::string strategy = "two-way";
  std::string resolver = "server-wins";
  std::string collections;
  std::vector<std::string> filters;  // COLLECTION=JSON
  std::vector<std::string> fields;   // COLLECTION=a,b
  int page_size = 1000;
  int batch_size = 5000;
  int retries = 3;
  std::string on_create_error = "none";
  std::string on_update_error = "none";
  std::string on_delete_error = "none";
  bool password_stdin = false;
  std::string log_level = "info";
};

// Splits "NAME=VALUE"; InvalidArgument naming `flag` otherwise.
Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& text,
                                                             const char* flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(std::string(flag) + " takes COLLECTION=VALUE, not '" + text + "'");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

// Filters and fields given on this run replace the stored ones (kept in the store, so the next
// run pulls with the same selection unless told otherwise).
Status ApplySelection(const SyncFlags& f, ClientDb& db, SyncOptions* o) {
  for (const std::string& text : f.filters) {
    SYNCLINE_ASSIGN_OR_RETURN(auto kv, SplitAssignment(text, "--filter"));
    SYNCLINE_ASSIGN_OR_RETURN(Json filter, ParseJsonObject(kv.second));
    SYNCLINE_RETURN_IF_ERROR(db.SetSetting("filter:" + kv.first, DumpJson(filter)));
  }
  for (const std::string& text : f.fields) {
    SYNCLINE_ASSIGN_OR_RETURN(auto kv, SplitAssignment(text, "--fields"));
    SYNCLINE_RETURN_IF_ERROR(db.SetSetting("fields:" + kv.first, kv.second));
  }
  for (const std::string& c : o->collections) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string filter, db.GetSetting("filter:" + c));
    if (!filter.empty()) o->filters[c] = ParseStoredJson(filter);
    SYNCLINE_ASSIGN_OR_RETURN(std::string fields, db.GetSetting("fields:" + c));
    if (!fields.empty()) o->fields[c] = SplitList(fields);
  }
  return Status::OK();
}

// The collections of this run: --collections, else those given at init, else every
// collection the store holds.
Result<std::vector<std::string>> Collections(const SyncFlags& f, OfflineStore& store) {
  std::vector<std::string> out = SplitList(f.collections);
  if (out.empty()) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string stored, store.db().GetSetting("collections"));
    out = SplitList(stored);
  }
  if (out.empty()) {
    SYNCLINE_ASSIGN_OR_RETURN(out, store.Collections());
  }
  if (out.empty()) {
    return Status::InvalidArgument("no collections to sync: give --collections a,b");
  }
  return out;
}

Result<SyncOptions> BuildOptions(const SyncFlags& f, OfflineStore& store) {
  SyncOptions o;
  SYNCLINE_ASSIGN_OR_RETURN(o.collections, Collections(f, store));
  o.strategy = f.strategy;
  SYNCLINE_ASSIGN_OR_RETURN(o.resolver, Resolver::Parse(f.resolver));
  o.page_size = f.page_size;
  o.batch_size = f.batch_size;
  o.max_retries = f.retries;
  o.handlers = {f.on_create_error, f.on_update_error, f.on_delete_error};
  o.platform = {"syncline-cli", "1", ""};
  SYNCLINE_RETURN_IF_ERROR(ApplySelection(f, store.db(), &o));
  return o;
}

Result<LogLevel> ParseLogLevel(const std::string& s) {
  if (s == "error") return LogLevel::kError;
  if (s == "info") return LogLevel::kInfo;
  if (s == "debug") return LogLevel::kDebug;
  return Status::InvalidArgument("log level must be error, info or debug");
}

Json NotificationJson(const SyncNotification& n) {
  Json j = {{"collection", n.collection}, {"sync_type", n.sync_type}, {"status", n.status},
            {"total_count", n.total_count}, {"processed_count", n.processed_count},
            {"cumulative_count", n.cumulative_count}};
  if (n.status == "error") {
    j["error_code"] = n.error_code;
    j["error_message"] = n.error_message;
    Json errors = Json::array();
    for (const PendingOperation& op : n.server_errors) {
      errors.push_back({{"op_id", op.op_id}, {"key", op.key}, {"error", op.error},
                        {"code", op.code}, {"message", op.message}});
    }
    j["server_errors"] = errors;
  }
  return j;
}

Json ResultJson(const SyncResult& r) {
  Json cols = Json::object();
  for (const auto& [c, cr] : r.collections) {
    cols[c] = {{"uploaded", cr.uploaded}, {"downloaded", cr.downloaded},
               {"conflicts", cr.conflicts}, {"errors", cr.errors}};
  }
  Json errors = Json::array();
  for (const PendingOperation& op : r.errors) {
    errors.push_back({{"op_id", op.op_id}, {"collection", op.collection}, {"key", op.key},
                      {"error", op.error}, {"code", op.code}, {"message", op.message}});
  }
  return {{"uploaded", r.uploaded}, {"downloaded", r.downloaded}, {"conflicts", r.conflicts},
          {"errors", errors}, {"collections", cols}, {"duration_ms", r.duration_micros / 1000},
          {"duration_micros", r.duration_micros}, {"bytes", r.bytes}, {"requests", r.requests}};
}

// SIGINT cancels the running sync (it stops at a safe point and says so) instead of killing it.
// The handler only sets a flag (Cancel takes a lock: not for a signal handler); a watcher
// thread passes it on.
std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted = true; }

// Runs `sync` while a watcher turns Ctrl-C into engine.Cancel().
Result<SyncResult> RunCancellable(SyncEngine& engine, const std::function<Result<SyncResult>()>& sync) {
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (g_interrupted.exchange(false)) engine.Cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::signal(SIGINT, OnInterrupt);
  Result<SyncResult> r = sync();
  std::signal(SIGINT, SIG_DFL);
  done = true;
  watcher.join();
  return r;
}

int RunSync(const CliContext& ctx, const std::string& dir, const SyncFlags& f, bool push_only) {
  auto store = OpenClientDir(dir);
  if (!store.ok()) return ctx.Fail(store.status());
  Result<SyncOptions> options = BuildOptions(f, **store);
  if (!options.ok()) return ctx.Fail(options.status());
  Result<LogLevel> level = ParseLogLevel(f.log_level);
  if (!level.ok()) return ctx.Fail(level.status());
  auto adapter = MakeAdapter(ctx, **store);
  if (!adapter.ok()) return ctx.Fail(adapter.status());
  HttpAdapter* http = adapter->get();
  ClientDb& db = (*store)->db();
  std::string user = db.GetSetting("user").ok() ? *db.GetSetting("user") : "";
  if (f.password_stdin && !user.empty()) {
    // A 401 (an expired or revoked token): log in again with the password from stdin.
    Result<std::string> password = ReadPassword(true, false);
    if (!password.ok()) return ctx.Fail(password.status());
    options->login = [user, pw = *password](NetworkAdapter& a) { return a.Login(user, pw).ok(); };
  }
  auto engine = SyncEngine::Create(**store, std::move(*adapter), std::move(*options));
  if (!engine.ok()) return ctx.Fail(engine.status());
  (*engine)->SetLogLevel(*level);
  ProgressBar bar("sync");
  (*engine)->SetNotification("*", [&](const SyncNotification& n) {
    if (ctx.json) return ctx.PrintJson({{"notification", NotificationJson(n)}});
    if (n.status == "in_progress" && bar.enabled()) {
      bar.Update(static_cast<uint64_t>(n.cumulative_count), static_cast<uint64_t>(n.total_count));
      return;
    }
    if (bar.enabled()) bar.Interrupt();
    // The end of the whole sync: its result (or error) is printed next anyway.
    if (n.collection == "*") return;
    std::cerr << n.collection << ": " << n.status;
    if (n.status == "in_progress") {
      std::cerr << " " << n.cumulative_count << "/" << n.total_count;
    }
    if (n.status == "error") std::cerr << " (" << n.error_code << ") " << n.error_message;
    std::cerr << "\n";
  });
  SyncEngine& e = **engine;
  Result<SyncResult> r =
      RunCancellable(e, [&] { return push_only ? e.PushChanges() : e.Sync(); });
  if (bar.enabled()) bar.Finish();
  // Keep a token the login callback renewed.
  if (Status s = db.SetSetting("token", http->token()); !s.ok()) return ctx.Fail(s);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    ctx.PrintJson({{"result", ResultJson(*r)}});
    return 0;
  }
  std::cout << "synced: " << r->uploaded << " up, " << r->downloaded << " down, " << r->conflicts
            << " conflicts, " << r->errors.size() << " errors";
  if (!r->errors.empty()) std::cout << " (see `syncline client errors " << dir << "`)";
  std::cout << "\n";
  return 0;
}

void AddSyncFlags(CLI::App* cmd, SyncFlags* f) {
  cmd->add_option("--collections", f->collections, "collections to sync, in order: a,b");
  cmd->add_option("--page-size", f->page_size, "documents per pull page (1-10000)");
  cmd->add_option("--batch-size", f->batch_size, "operations per push (1-10000)");
  cmd->add_option("--retries", f->retries, "retries of a step that failed on the network");
  cmd->add_option("--on-create-error", f->on_create_error, "none, delete or recreate");
  cmd->add_option("--on-update-error", f->on_update_error, "none, retry or rollback");
  cmd->add_option("--on-delete-error", f->on_delete_error, "none or retry");
  cmd->add_option("--resolver", f->resolver,
                  "server-wins, client-wins, timestamp:FIELD or merge:CLIENT_FIELDS/SERVER_FIELDS");
  cmd->add_flag("--password-stdin", f->password_stdin,
                "on a 401, log in again with the password read from stdin");
  cmd->add_option("--log-level", f->log_level, "error, info or debug (the sync log)");
}

}  // namespace

void AddClientSyncVerbs(CLI::App& client, const CliContext& ctx, int* exit_code) {
  auto dir = std::make_shared<std::string>();
  auto flags = std::make_shared<SyncFlags>();
  auto* sync = client.add_subcommand("sync", "push the outbox, then pull each collection's changes");
  sync->add_option("DIR", *dir, "client folder")->required();
  sync->add_option("--strategy", flags->strategy, "two-way, pull-only or push-only");
  sync->add_option("--filter", flags->filters, "selective sync: COLLECTION=FILTER_JSON (kept)");
  sync->add_option("--fields", flags->fields, "partial documents: COLLECTION=a,b (kept)");
  AddSyncFlags(sync, flags.get());
  sync->callback([=, &ctx = ctx] { *exit_code = RunSync(ctx, *dir, *flags, false); });

  auto* push = client.add_subcommand("push", "send the outbox without pulling");
  push->add_option("DIR", *dir, "client folder")->required();
  AddSyncFlags(push, flags.get());
  push->callback([=, &ctx = ctx] { *exit_code = RunSync(ctx, *dir, *flags, true); });
}

}  // namespace syncline
