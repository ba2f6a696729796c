// Server: store, admin key, listener and the io_context threads.
#include "net/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "net/asio.h"
#include "net/http_client.h"
#include "net/http_master.h"
#include "net/http_remote.h"
#include "net/http_session.h"
#include "store/sqlite/sqlite_store.h"
#include "sync/garbage_collector.h"
#include "util/sha256.h"
#include "util/log.h"

namespace syncline {

namespace {

// HOST:PORT or [HOST]:PORT.
Result<tcp::endpoint> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen needs HOST:PORT");
  std::string host = listen.substr(0, colon), port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("--listen host '" + host + "' is not an IP address");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument("--listen port '" + port + "' is not a port number");
  }
  return tcp::endpoint(addr, static_cast<unsigned short>(std::stoi(port)));
}


// Lets the process hold its connections plus its own files: raises the soft limit on open
// files toward the hard one (Debian's soft default, 1024, is below --max-connections' default).
void RaiseFileLimit(int max_connections) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + 512;
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) Log(LogLevel::kWarn, "server.file_limit", {}, "cannot raise the open-file limit");
}

// Answers a connection over --max-connections with 503 and closes it, without a session.
void RefuseBusy(tcp::socket& socket) {
  static const char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: 71\r\n\r\n"
      "{\"error\":\"unavailable\",\"message\":\"too many connections: retry shortly\"}";
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kBusy, sizeof kBusy - 1), ec);  // best effort: it is small
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

class ServerImpl : public Server {
 public:
  ServerImpl(const ServerOptions& o, Env* env) : options_(o), env_(env) {
    // Handlers may block on the disk, so a few more threads than cores.
    int n = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency()) + 2;
    for (int i = 0; i < n; ++i) iocs_.push_back(std::make_unique<asio::io_context>(1));
    acceptor_ = std::make_unique<tcp::acceptor>(*iocs_[0]);
    stop_timer_ = std::make_unique<asio::steady_timer>(*iocs_[0]);
  }

  Status Open() {
    RaiseFileLimit(options_.http.max_connections);
    SYNCLINE_RETURN_IF_ERROR(env_->fs->CreateDirs(options_.data_dir));
    // An exclusive lock on the data folder, so two servers never share one store.
    Result<std::unique_ptr<FileLock>> lock = env_->fs->LockFile(options_.data_dir + "/LOCK");
    if (lock.status().code() == Status::Code::kUnavailable) {
      return Status::Unavailable("data folder " + options_.data_dir +
                                 " is in use by another syncline serve");
    }
    if (!lock.ok()) return lock.status();
    data_lock_ = std::move(*lock);
    SqliteStoreOptions so;
    so.sync_commits = options_.sync_commits;
    so.collection_trees = options_.collection_trees;
    SYNCLINE_ASSIGN_OR_RETURN(store_, OpenSqliteStore(options_.data_dir, env_, so));

    SYNCLINE_RETURN_IF_ERROR(LoadTls());
    if (!options_.ca_file.empty()) HttpClient::set_default_ca_file(options_.ca_file);
    SYNCLINE_ASSIGN_OR_RETURN(tcp::endpoint ep, ParseListen(options_.listen));
    beast::error_code ec;
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status::Unavailable("listen on " + options_.listen + ": " + ec.message());

    // Only once the node can serve: a start that fails leaves no key that was never shown.
    SYNCLINE_RETURN_IF_ERROR(LoadOrCreateAdminKey());
    // Which node the admin key belongs to, so the CLI offers it to this node only.
    SYNCLINE_RETURN_IF_ERROR(
        env_->fs->WriteFileAtomic(options_.data_dir + "/url", url() + "\n", 0644));
    std::string name = options_.node_name;
    if (name.empty()) {
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      name = host;
    }
    api_ = std::make_unique<Api>(store_.get(), env_, admin_key_, name,
                                 options_.token_ttl_seconds);
    api_->set_body_budget(&body_budget_);
    api_->set_waiters(&waiters_);
    SYNCLINE_ASSIGN_OR_RETURN(std::string scrape_token, LoadScrapeToken());
    api_->set_metrics(&metrics_, scrape_token);
    api_->set_events(&events_);
    events_.set_listener([this](int64_t id) { waiters_.Notify(kEventFeed, id); });

    // Replication needs our URL, known once bound.
    std::string self_url = options_.advertise_url.empty() ? url() : options_.advertise_url;
    ReplicatorOptions ro;
    ro.period_micros = options_.sync_interval_seconds * 1000000;
    ro.limit = options_.sync_limit;
    ro.automatic = !options_.manual_sync;
    int timeout = options_.sync_timeout_seconds;
    RemoteFactory remotes = [timeout](const Destination& d) { return NewHttpRemote(d, timeout); };
    replicator_ = std::make_unique<Replicator>(store_.get(), env_, self_url, remotes, ro);
    replicator_->set_events(&events_);
    receiver_ = std::make_unique<Receiver>(store_.get(), env_->clock,
                                           options_.sync_lock_timeout_seconds * 1000000);
    api_->EnableSync(replicator_.get(), receiver_.get());
    snapshots_ = std::make_unique<SnapshotRegistry>(store_.get(), env_);
    followers_ = std::make_unique<CollectionFollowers>(store_.get(), env_, NewHttpFeedOpener());
    jobs_ = std::make_unique<CollectionJobs>(store_.get(), env_, NewHttpMasterOpener());
    jobs_->set_events(&events_);
    jobs_->set_follow([this](const std::string& db, const JobRecord& job, int64_t etag) {
      FollowerRecord f{job.collection, job.master_url, job.master_db, job.master_key, etag,
                       env_->clock->NowMicros()};
      return followers_->Follow(db, f);
    });
    SYNCLINE_RETURN_IF_ERROR(jobs_->Recover().WithContext("recover collection sync jobs"));
    api_->EnableCollectionSync(snapshots_.get(), jobs_.get(), followers_.get());
    store_->SetChangeListener([this](const Store::Commit& commit) {
      waiters_.Notify(commit.db, commit.last_etag);
      metrics_.RecordCommit(commit);
      events_.Append("change", commit.db,
                     Json{{"last_etag", commit.last_etag},
                          {"documents", commit.documents_written},
                          {"files", commit.files_written}});
      replicator_->OnChange(commit.db);
    });
    return Status::OK();
  }

  std::string url() const override {
    auto ep = acceptor_->local_endpoint();
    std::string host = ep.address().to_string();
    if (ep.address().is_v6()) host = "[" + host + "]";
    return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
  }
  const std::string& node_id() const override { return store_->node_id(); }
  std::string admin_key_path() const override { return options_.data_dir + "/admin.key"; }
  const std::string& new_admin_key() const override { return new_admin_key_; }

  Status Run() override {
    asio::signal_set signals(*iocs_[0], SIGINT, SIGTERM);
    signals.async_wait([this](beast::error_code ec, int sig) {
      if (!ec) Log(LogLevel::kInfo, "server.stop", {{"signal", sig}}, "shutting down");
      Stop();
    });
    asio::co_spawn(*iocs_[0], Listen(), asio::detached);
    // Keeps the other contexts running while they have no connection.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
    for (auto& ioc : iocs_) work.push_back(asio::make_work_guard(*ioc));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < iocs_.size(); ++i) threads.emplace_back([this, i] { iocs_[i]->run(); });
    replicator_->Start();
    if (Status s = followers_->Start(); !s.ok()) LogStatus(LogLevel::kError, "follow.start", {}, s);
    std::thread gc([this] { CollectLoop(); });
    iocs_[0]->run();
    for (auto& t : threads) t.join();
    jobs_->Stop();  // a request waiting for a job returns once it stops
    followers_->Stop();
    slow_pool_.join();
    {
      std::lock_guard<std::mutex> lock(gc_mu_);
      gc_stop_ = true;
    }
    gc_cv_.notify_all();
    gc.join();
    replicator_->Stop();
    return Status::OK();
  }

  void Stop() override {
    asio::post(*iocs_[0], [this] {
      beast::error_code ec;
      acceptor_->close(ec);
      // Parked long-polls answer with the current last etag rather than see the connection
      // drop ("empty reply"); they get a moment to write it before the io threads stop.
      waiters_.Close();
      StopWhenAnswered(std::chrono::steady_clock::now() + std::chrono::seconds(2));
    });
  }

 private:
  Status LoadOrCreateAdminKey() {
    std::string path = admin_key_path();
    if (env_->fs->Exists(path)) {
      SYNCLINE_ASSIGN_OR_RETURN(admin_key_, env_->fs->ReadFile(path));
      while (!admin_key_.empty() && (admin_key_.back() == '\n' || admin_key_.back() == '\r')) {
        admin_key_.pop_back();
      }
      if (admin_key_.empty()) return Status::InvalidArgument(path + " is empty");
      return Status::OK();
    }
    uint8_t raw[32];
    env_->random->Fill(raw, sizeof raw);
    admin_key_ = "sk_" + HexEncode(raw, sizeof raw);
    SYNCLINE_RETURN_IF_ERROR(env_->fs->WriteFileAtomic(path, admin_key_ + "\n", 0600));
    new_admin_key_ = admin_key_;
    return Status::OK();
  }

  // The scrape token of --metrics-token-file ("" without one): its first line.
  Result<std::string> LoadScrapeToken() {
    const std::string& path = options_.metrics_token_file;
    if (path.empty()) return std::string();
    Result<std::string> read = env_->fs->ReadFile(path);
    if (!read.ok()) return read.status().WithContext("--metrics-token-file " + path);
    std::string token = std::move(read).value();
    token = token.substr(0, token.find_first_of("\r\n"));
    if (token.size() < 16) {
      return Status::InvalidArgument("--metrics-token-file " + path +
                                     ": the token must be at least 16 characters");
    }
    return token;
  }

  // Compacts the packs of every database whose garbage passed the ratio, every interval.
  void CollectLoop() {
    if (options_.gc_interval_seconds <= 0) return;
    std::unique_lock<std::mutex> lock(gc_mu_);
    while (!gc_cv_.wait_for(lock, std::chrono::seconds(options_.gc_interval_seconds),
                            [&] { return gc_stop_; })) {
      lock.unlock();
      try {
        Result<std::vector<DatabaseInfo>> dbs = store_->ListDatabases();
        for (const DatabaseInfo& d : dbs.ok() ? *dbs : std::vector<DatabaseInfo>()) {
          Result<ChunkStats> s = CollectGarbage(store_.get(), d.name, {options_.gc_garbage_ratio});
          if (s.ok()) metrics_.RecordChunkStats(d.name, *s, env_->clock->NowMicros());
          if (!s.ok()) {
            LogStatus(LogLevel::kWarn, "gc.run", {{"db", d.name}}, s.status());
          } else if (s->packs_compacted > 0) {
            Log(LogLevel::kInfo, "gc.run",
                {{"db", d.name}, {"packs_compacted", s->packs_compacted},
                 {"bytes_reclaimed", s->bytes_reclaimed}});
          }
        }
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "gc.run", {{"error_code", "internal"}}, e.what());  // the next round tries again
      }
      lock.lock();
    }
  }

  // Stops the io threads once no long-poll is left unanswered, or at `deadline`. On iocs_[0].
  void StopWhenAnswered(std::chrono::steady_clock::time_point deadline) {
    if (waiters_.answering() == 0 || std::chrono::steady_clock::now() >= deadline) {
      for (auto& ioc : iocs_) ioc->stop();
      return;
    }
    stop_timer_->expires_after(std::chrono::milliseconds(5));
    stop_timer_->async_wait([this, deadline](beast::error_code) { StopWhenAnswered(deadline); });
  }

  // The TLS context of --tls-cert and --tls-key, if given: TLS 1.2 or later only.
  Status LoadTls() {
    const std::string& cert = options_.tls_cert_file;
    const std::string& key = options_.tls_key_file;
    if (cert.empty() && key.empty()) return Status::OK();
    if (cert.empty() || key.empty()) {
      return Status::InvalidArgument("--tls-cert and --tls-key go together: give both");
    }
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    beast::error_code ec;
    tls_->use_certificate_chain_file(cert, ec);
    if (ec) return Status::InvalidArgument("--tls-cert " + cert + ": " + ec.message());
    tls_->use_private_key_file(key, asio::ssl::context::pem, ec);
    if (ec) return Status::InvalidArgument("--tls-key " + key + ": " + ec.message());
    if (SSL_CTX_check_private_key(tls_->native_handle()) != 1) {
      return Status::InvalidArgument("--tls-key " + key + " does not match --tls-cert " + cert);
    }
    return Status::OK();
  }

  asio::awaitable<void> Listen() {
    SessionContext ctx{api_.get(), &waiters_, &slow_pool_, &options_.http, &body_budget_,
                       tls_.get(), &metrics_};
    while (true) {
      beast::error_code ec;
      // Connections go round the io_contexts, one thread each: a session never hops threads,
      // which spares the cross-thread wake-ups a shared io_context costs on every operation.
      asio::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
      tcp::socket socket = co_await acceptor_->async_accept(
          ioc, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
        Log(LogLevel::kWarn, "http.accept", {}, ec.message());
        continue;
      }
      if (connections_.load() >= options_.http.max_connections) {
        RefuseBusy(socket);
        continue;
      }
      ++connections_;
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      // Last resort: whatever escapes a session ends that connection with a log line, never
      // the io thread (asio::detached would rethrow it out of io_context::run).
      asio::co_spawn(executor, RunHttpSession(std::move(socket), ctx), [this](std::exception_ptr e) {
        --connections_;
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          Log(LogLevel::kError, "http.session", {{"error_code", "internal"}}, x.what());
        } catch (...) {
          Log(LogLevel::kError, "http.session", {{"error_code", "internal"}}, "unexpected error");
        }
      });
    }
  }

  ServerOptions options_;
  Env* env_;
  // Before what feeds them (store, replicator, jobs): destroyed after those.
  ChangeWaiters waiters_;
  ServerMetrics metrics_;
  EventLog events_{env_->clock};
  std::unique_ptr<FileLock> data_lock_;  // held while the server lives
  std::unique_ptr<Store> store_;
  std::unique_ptr<Replicator> replicator_;  // after store_: stops before the store closes
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<SnapshotRegistry> snapshots_;  // after store_: closes before it
  std::unique_ptr<CollectionFollowers> followers_;
  std::unique_ptr<CollectionJobs> jobs_;  // after followers_: its jobs start followers
  std::string admin_key_, new_admin_key_;
  MemoryBudget body_budget_{options_.http.body_memory_bytes};
  std::unique_ptr<asio::ssl::context> tls_;
  std::atomic<int> connections_{0};  // open sessions, against --max-connections
  std::mutex gc_mu_;
  std::condition_variable gc_cv_;
  bool gc_stop_ = false;  // GUARDED_BY(gc_mu_)
  asio::thread_pool slow_pool_{4};  // sync runs and pushes requested over the API
  std::unique_ptr<Api> api_;
  std::vector<std::unique_ptr<asio::io_context>> iocs_;
  size_t next_ioc_ = 0;  // used only by Listen, on iocs_[0]
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> stop_timer_;  // on iocs_[0]
};

}  // namespace

Result<std::unique_ptr<Server>> Server::Open(const ServerOptions& options, Env* env) {
  auto server = std::make_unique<ServerImpl>(options, env);
  SYNCLINE_RETURN_IF_ERROR(server->Open());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace syncline
