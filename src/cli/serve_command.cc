// `syncline serve`: runs a node.
#include <iostream>

#include "cli/commands.h"
#include "net/server.h"
#include "util/duration.h"
#include "util/log.h"

namespace syncline {

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "run a Syncline node");
  auto opts = std::make_shared<ServerOptions>();
  auto verbose = std::make_shared<bool>(false);
  auto no_sync = std::make_shared<bool>(false);
  cmd->add_option("--data", opts->data_dir, "data folder (created if missing)")->required();
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--node-name", opts->node_name, "a name for this node (default: host name)");
  cmd->add_option("--threads", opts->threads, "server threads (default: cores + 2)");
  cmd->add_flag("--no-sync-commits", *no_sync,
                "do not fsync commits: survive a process crash but not a power cut");
  cmd->add_option("--advertise-url", opts->advertise_url,
                  "URL other nodes use to reach this one (default: the listen address)");
  cmd->add_option("--sync-interval", opts->sync_interval_seconds,
                  "seconds between periodic sync runs (default 600)")
      ->check(CLI::Range(1, 86400 * 7));
  cmd->add_option("--sync-limit", opts->sync_limit,
                  "items pushed at once per destination (default 5)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--sync-lock-timeout", opts->sync_lock_timeout_seconds,
                  "seconds after which a destination lock left by a crash expires (default 600)")
      ->check(CLI::Range(1, 86400));
  // What any one client may take (net/http_limits.h).
  auto body_mib = std::make_shared<size_t>(opts->http.max_body_bytes >> 20);
  auto budget_mib = std::make_shared<size_t>(opts->http.body_memory_bytes >> 20);
  cmd->add_option("--max-connections", opts->http.max_connections,
                  "open connections at most; more are answered 503 (default 4096)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-header-bytes", opts->http.max_header_bytes,
                  "request line and headers at most, in bytes; more get 431 (default 65536)")
      ->check(CLI::Range(1024, 16 << 20));
  cmd->add_option("--max-header-count", opts->http.max_header_count,
                  "header fields at most; more get 431 (default 100)")
      ->check(CLI::Range(8, 10000));
  cmd->add_option("--header-timeout", opts->http.header_timeout_seconds,
                  "seconds to send a request's header once it has begun (default 10)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--idle-timeout", opts->http.idle_timeout_seconds,
                  "seconds a connection may move no byte before it is closed (default 60)")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--max-body-mib", *body_mib,
                  "a request body read whole (all but file uploads) at most, in MiB (default 64)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--body-memory-mib", *budget_mib,
                  "all request bodies held whole at once at most, in MiB; more get 503 "
                  "(default 256)")
      ->check(CLI::Range(1, 65536));
  cmd->add_option("--gc-interval", opts->gc_interval_seconds,
                  "seconds between background garbage collections; 0: only `db gc` (default 600)")
      ->check(CLI::Range(0, 86400 * 7));
  cmd->add_option("--gc-ratio", opts->gc_garbage_ratio,
                  "compact a pack file once this share of it is garbage (default 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--sync-timeout", opts->sync_timeout_seconds,
                  "seconds after which a request to a destination fails (default 600; "
                  "30 s without a byte fails it sooner)")
      ->check(CLI::Range(1, 86400));
  cmd->add_flag("--manual-sync", opts->manual_sync,
                "push to destinations only on `sync run` / `sync start`, never on its own");
  cmd->add_option("--tls-cert", opts->tls_cert_file,
                  "serve HTTPS with this PEM certificate chain (with --tls-key)");
  cmd->add_option("--tls-key", opts->tls_key_file, "the PEM private key of --tls-cert");
  cmd->add_option("--ca-file", opts->ca_file,
                  "PEM file of the CA(s) to trust when calling https destinations and masters")
      ->envname("SYNCLINE_CA_FILE");
  cmd->add_option("--metrics-token-file", opts->metrics_token_file,
                  "file with a token (16+ characters) that may read GET /metrics and nothing "
                  "else; node admins may read it too")
      ->envname("SYNCLINE_METRICS_TOKEN_FILE");
  auto token_ttl = std::make_shared<std::string>("30d");
  cmd->add_option("--token-ttl", *token_ttl,
                  "how long a login token lasts: seconds, or 90m, 12h, 30d (default 30d)");
  auto log_format = std::make_shared<std::string>("text");
  auto log_level = std::make_shared<std::string>("info");
  cmd->add_option("--log-format", *log_format,
                  "log lines on stderr as text or json, one event a line (default text)");
  cmd->add_option("--log-level", *log_level,
                  "debug (every request), info, warn or error (default info)");
  cmd->add_flag("-v,--verbose", *verbose, "log every request (--log-level debug)");
  // Only for bench/collection_sync.py, which measures what keeping the trees costs.
  auto no_trees = std::make_shared<bool>(false);
  cmd->add_flag("--bench-without-collection-trees", *no_trees,
                "benchmarks only: do not keep collection trees (incremental sync is then wrong "
                "until `db verify` repairs them)")
      ->group("");  // hidden from --help

  cmd->callback([=] {
    Result<LogFormat> format = ParseLogFormat(*log_format);
    Result<LogLevel> level = *verbose ? Result<LogLevel>(LogLevel::kDebug) : ParseLogLevel(*log_level);
    for (const Status& s : {format.status(), level.status()}) {
      if (s.ok()) continue;
      std::cerr << "syncline serve: " << s.message() << "\n";
      *exit_code = 2;
      return;
    }
    ConfigureLogging(*format, *level);
    opts->sync_commits = !*no_sync;
    opts->collection_trees = !*no_trees;
    opts->http.max_body_bytes = *body_mib << 20;
    opts->http.body_memory_bytes = std::max(*budget_mib << 20, opts->http.max_body_bytes);
    Result<int64_t> ttl = ParseDurationSeconds(*token_ttl);
    if (!ttl.ok()) {
      std::cerr << "syncline serve: --token-ttl: " << ttl.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    opts->token_ttl_seconds = *ttl;
    auto server = Server::Open(*opts, Env::Default());
    if (!server.ok()) {
      std::cerr << "syncline serve: " << server.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    Server& s = **server;
    std::cout << "Syncline node " << s.node_id() << "\n";
    std::cout << "listening on " << s.url() << "\n";
    std::cout << "studio: " << s.url() << "/studio/\n";
    if (!s.new_admin_key().empty()) {
      std::cout << "admin API key (shown only this once): " << s.new_admin_key() << "\n";
    }
    std::cout << "admin API key file: " << s.admin_key_path() << "\n" << std::flush;
    Status st = s.Run();
    if (!st.ok()) {
      std::cerr << "syncline serve: " << st.message() << "\n";
      *exit_code = 1;
    }
  });
}

}  // namespace syncline
