// `syncline serve`: runs a node.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.h"
#include "net/server.h"

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
  cmd->add_option("--sync-timeout", opts->sync_timeout_seconds,
                  "seconds after which a request to a destination fails (default 600; "
                  "30 s without a byte fails it sooner)")
      ->check(CLI::Range(1, 86400));
  cmd->add_flag("--manual-sync", opts->manual_sync,
                "push to destinations only on `sync run` / `sync start`, never on its own");
  cmd->add_flag("-v,--verbose", *verbose, "log every request");
  cmd->callback([=] {
    spdlog::set_level(*verbose ? spdlog::level::debug : spdlog::level::info);
    opts->sync_commits = !*no_sync;
    auto server = Server::Open(*opts, Env::Default());
    if (!server.ok()) {
      std::cerr << "syncline serve: " << server.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    Server& s = **server;
    std::cout << "Syncline node " << s.node_id() << "\n";
    std::cout << "listening on " << s.url() << "\n";
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
