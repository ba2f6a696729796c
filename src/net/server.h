// Server: one node: opens the store, makes or reads the admin key, serves the HTTP API.
#pragma once

#include <memory>
#include <string>

#include "net/http_limits.h"
#include "syncline/env.h"
#include "syncline/result.h"

namespace syncline {

struct ServerOptions {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";  // HOST:PORT or [V6HOST]:PORT; port 0 picks one
  std::string node_name;                  // shown by /v1/health; defaults to the host name
  int threads = 0;                        // 0: a few more than the cores, handlers may block
  bool sync_commits = true;               // see SqliteStoreOptions
  bool collection_trees = true;           // see SqliteStoreOptions; off only for benchmarks
  // Replication (replicate/replicator.h).
  std::string advertise_url;              // how other nodes reach this one; default: url()
  int64_t sync_interval_seconds = 600;    // periodic run of every destination
  int sync_limit = 5;                     // items pushed at once per destination
  bool manual_sync = false;               // no automatic or periodic pushes; `sync run` only
  int64_t sync_lock_timeout_seconds = 600;  // a destination lock left by a crash expires
  int sync_timeout_seconds = 600;         // a request to a destination fails after this long
  HttpLimits http;                        // what any one client may take (http_limits.h)
  int64_t gc_interval_seconds = 600;      // background garbage collection; 0: only `db gc`
  double gc_garbage_ratio = 0.5;          // compact a pack once this share of it is garbage
  int64_t token_ttl_seconds = 30 * 86400;  // a login token's life (net/auth.h)
  // HTTPS: both set, or neither (plain HTTP). PEM files: the certificate chain, the key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // A PEM bundle of CAs to trust when this node calls https destinations and masters, besides
  // the system's (HttpClient::set_default_ca_file).
  std::string ca_file;
  // A file holding the token that may read GET /metrics (besides node admins); "": none.
  std::string metrics_token_file;
};

class Server {
 public:
  // Opens the data folder (creating node id and admin key on first start) and binds.
  static Result<std::unique_ptr<Server>> Open(const ServerOptions& options, Env* env);
  virtual ~Server() = default;

  virtual std::string url() const = 0;  // e.g. http://127.0.0.1:8080
  virtual const std::string& node_id() const = 0;
  virtual std::string admin_key_path() const = 0;
  // The admin key if this start created it (to print once), else empty.
  virtual const std::string& new_admin_key() const = 0;

  // Serves until SIGINT/SIGTERM or Stop(); returns after in-flight handlers finish.
  virtual Status Run() = 0;
  // Thread-safe; makes Run return.
  virtual void Stop() = 0;
};

}  // namespace syncline
