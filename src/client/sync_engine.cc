// SyncEngine: runs the SyncMachine, doing the I/O it asks for — the adapter's requests, the
// store's transactions, the clock's waits — and tells the application what happened.
#include "syncline/sync_engine.h"

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "client/client_db.h"
#include "client/sync_machine.h"
#include "net/status_http.h"

namespace syncline {
namespace {

Result<SyncStrategy> ParseStrategy(const std::string& s) {
  if (s == "two-way") return SyncStrategy::kTwoWay;
  if (s == "pull-only") return SyncStrategy::kPullOnly;
  if (s == "push-only") return SyncStrategy::kPushOnly;
  return Status::InvalidArgument("unknown strategy '" + s + "': use two-way, pull-only or push-only");
}

Result<FailureHandlers> ParseHandlers(const ErrorHandlers& h) {
  FailureHandlers out;
  SYNCLINE_ASSIGN_OR_RETURN(out.create, ParseFailureAction(h.create));
  SYNCLINE_ASSIGN_OR_RETURN(out.update, ParseFailureAction(h.update));
  SYNCLINE_ASSIGN_OR_RETURN(out.remove, ParseFailureAction(h.remove));
  SYNCLINE_RETURN_IF_ERROR(CheckHandlers(out));
  return out;
}

// The operation to send; the document moves out of `p` (its answer needs only the ids).
PushOperation ToPush(PendingOperation& p) {
  PushOperation op;
  op.op_id = p.op_id;
  op.op = p.op;
  op.collection = p.collection;
  op.key = p.key;
  op.base_etag = p.base_etag;
  op.document = std::move(p.document);
  p.document.reset();
  return op;
}

SyncEvent Event(SyncEvent::Kind kind, bool more = false) {
  SyncEvent e;
  e.kind = kind;
  e.more = more;
  return e;
}

SyncEvent Failed(Status s) {
  SyncEvent e;
  e.kind = SyncEvent::Kind::kFailed;
  e.status = std::move(s);
  return e;
}

// Counts of one collection within the running sync, for its notifications.
struct Progress {
  int64_t total = 0;
  int64_t cumulative = 0;
  bool asked_total = false;
};

}  // namespace

struct SyncEngine::Impl {
  OfflineStore& store;
  ClientDb& db;
  std::unique_ptr<NetworkAdapter> adapter;
  SyncOptions options;
  SyncStrategy strategy = SyncStrategy::kTwoWay;
  FailureHandlers handlers;
  Env* env;

  std::mutex run_mu;  // one sync at a time
  std::atomic<bool> cancel{false};

  mutable std::mutex mu;  // everything below
  std::condition_variable cv;
  std::map<std::string, std::function<void(const SyncNotification&)>> notify;
  std::map<std::string, std::set<std::string>> watched;
  std::function<void(const ObjectNotification&)> object_notify;
  std::vector<std::function<void(bool)>> network_callbacks;
  bool online = true;
  bool wake = false;
  bool stop = false;
  std::thread background;
  SyncStatistics stats;
  int64_t total_duration = 0;
  LogLevel log_level = LogLevel::kInfo;

  Impl(OfflineStore& s, std::unique_ptr<NetworkAdapter> a, SyncOptions o)
      : store(s), db(s.db()), adapter(std::move(a)), options(std::move(o)),
        env(options.env ? options.env : Env::Default()) {}

  const Resolver& ResolverFor(const std::string& c) const {
    auto it = options.resolvers.find(c);
    return it == options.resolvers.end() ? options.resolver : it->second;
  }

  void Log(LogLevel level, Json event) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (level > log_level) return;
    }
    event["at"] = env->clock->NowMicros();
    event["level"] = level == LogLevel::kError ? "error" : level == LogLevel::kInfo ? "info" : "debug";
    (void)db.AppendLog(event);  // the log is an aid: a failure to write it never fails a sync
  }

  void Notify(const SyncNotification& n) {
    std::function<void(const SyncNotification&)> one, all;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (auto it = notify.find(n.collection); it != notify.end()) one = it->second;
      if (n.collection != "*") {
        if (auto it = notify.find("*"); it != notify.end()) all = it->second;
      }
    }
    if (one) one(n);
    if (all) all(n);
  }

  void NotifyObjects(const std::vector<AppliedChange>& changes) {
    std::function<void(const ObjectNotification&)> cb;
    std::vector<ObjectNotification> hits;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!object_notify) return;
      cb = object_notify;
      for (const AppliedChange& c : changes) {
        auto it = watched.find(c.collection);
        if (it != watched.end() && it->second.count(c.key)) hits.push_back({c.collection, c.key, c.kind});
      }
    }
    for (const ObjectNotification& n : hits) cb(n);
  }

  SyncEvent Register(std::string* client_id) {
    Result<Registration> r = adapter->Register(options.platform);
    if (!r.ok()) return Failed(r.status());
    if (Status s = db.SetSetting("client_id", r->client_id); !s.ok()) return Failed(s);
    *client_id = r->client_id;
    Log(LogLevel::kInfo, {{"event", "registered"}, {"client_id", r->client_id}});
    return Event(SyncEvent::Kind::kRegistered);
  }

  // Pushes the ready part of a collection's outbox, batch after batch. While one batch is on
  // its way the next is taken from the store (a pipeline: the client's work overlaps the
  // server's). Returns kPushed with more=true after any batch (the machine asks again, which
  // also picks up changes a conflict resolution queued), more=false when nothing was ready.
  SyncEvent Push(const std::string& c, const std::string& client_id, int64_t sync_number,
                 SyncResult* result) {
    std::function<bool(const PendingOperation&)> priority;
    if (options.priority) {
      priority = [this](const PendingOperation& op) {
        return op.document && options.priority(op.collection, *op.document);
      };
    }
    const size_t size = static_cast<size_t>(options.batch_size);
    Result<std::vector<PendingOperation>> cur = db.TakeBatch(c, size, sync_number, priority);
    if (!cur.ok()) return Failed(cur.status());
    if (cur->empty()) return Event(SyncEvent::Kind::kPushed, false);
    // With priorities a batch is no range of the outbox: one batch at a time then.
    auto take_after = [&](const std::vector<PendingOperation>& b) {
      if (priority || cancel) return Result<std::vector<PendingOperation>>(std::vector<PendingOperation>{});
      return db.TakeBatch(c, size, sync_number, nullptr, b.back().seq);
    };
    auto send = [&](std::vector<PendingOperation>& b) {
      std::vector<PushOperation> ops;
      ops.reserve(b.size());
      for (PendingOperation& p : b) ops.push_back(ToPush(p));
      return std::async(std::launch::async, [this, &client_id, ops = std::move(ops)] {
        return adapter->SendBatch(client_id, ops);
      });
    };
    auto in_flight = send(*cur);
    Result<std::vector<PendingOperation>> next = take_after(*cur);
    while (true) {
      Result<std::vector<PushResult>> results = in_flight.get();
      if (!results.ok()) return Failed(results.status());  // what was taken goes again, same ids
      if (!next.ok()) return Failed(next.status());
      const bool more = !next->empty() && !cancel;
      if (more) in_flight = send(*next);  // the server starts on it while this batch is applied
      Status applied = ApplyResults(c, *cur, *results, sync_number, result);
      if (!more || !applied.ok()) {
        if (more) (void)in_flight.get();  // its answer is lost; the batch goes again, same ids
        return applied.ok() ? Event(SyncEvent::Kind::kPushed, true) : Failed(applied);
      }
      cur = std::move(next);
      next = take_after(*cur);
    }
  }

  Status ApplyResults(const std::string& c, const std::vector<PendingOperation>& batch,
                      const std::vector<PushResult>& results, int64_t sync_number,
                      SyncResult* result) {
    Result<BatchOutcome> out =
        db.ApplyPushResults(batch, results, ResolverFor(c), handlers, sync_number);
    if (!out.ok()) return out.status();
    CollectionResult& cr = result->collections[c];
    cr.uploaded += out->applied;
    cr.conflicts += out->conflicts;
    cr.errors += static_cast<int64_t>(out->failed.size());
    result->uploaded += out->applied;
    result->conflicts += out->conflicts;
    for (PendingOperation& f : out->failed) result->errors.push_back(std::move(f));
    NotifyObjects(out->changes);
    Log(LogLevel::kDebug, {{"event", "push"}, {"collection", c}, {"operations", batch.size()},
                           {"applied", out->applied}, {"conflicts", out->conflicts},
                           {"failed", out->failed.size()}});
    return Status::OK();
  }

  SyncEvent Pull(const std::string& c, const std::string& client_id, int64_t sync_number,
                 Progress* progress, SyncResult* result) {
    Result<CursorState> cursor = db.GetCursor(c);
    if (!cursor.ok()) return Failed(cursor.status());
    PullRequest req;
    req.client_id = client_id;
    req.collection = c;
    req.cursor = cursor->cursor;
    req.limit = options.page_size;
    if (auto it = options.filters.find(c); it != options.filters.end()) req.filter = it->second;
    if (auto it = options.fields.find(c); it != options.fields.end()) req.fields = it->second;
    req.with_total = !progress->asked_total;
    // Told to the server, which shows it (the studio's clients page): what waits to be pushed.
    if (Result<int64_t> pending = db.CountPending(c); pending.ok()) req.pending_operations = *pending;
    auto fetch = [this](PullRequest r) {
      return std::async(std::launch::async,
                        [this, r = std::move(r)] { return adapter->FetchChanges(r); });
    };
    Result<PullPage> page = adapter->FetchChanges(req);
    while (true) {
      if (!page.ok()) return Failed(page.status());
      // The next page is fetched while this one is applied (the server's work overlaps the
      // client's). It is applied only after this one, and dropped unapplied on a failure or a
      // cancel: the cursor still moves only with a whole page.
      std::future<Result<PullPage>> ahead;
      if (page->more && !cancel) {
        req.cursor = page->cursor;
        req.with_total = false;
        ahead = fetch(req);
      }
      SyncEvent e = ApplyPulled(c, *page, sync_number, progress, result);
      if (e.kind != SyncEvent::Kind::kPulled || !ahead.valid() || cancel) {
        if (ahead.valid()) (void)ahead.get();  // the adapter takes one call at a time
        return e;
      }
      page = ahead.get();
    }
  }

  // Applies one page in one transaction, counts it and notifies: kPulled (more if the server
  // has more), or the failure.
  SyncEvent ApplyPulled(const std::string& c, const PullPage& page, int64_t sync_number,
                        Progress* progress, SyncResult* result) {
    Result<PageOutcome> out = db.ApplyPage(c, page, ResolverFor(c), sync_number);
    if (!out.ok()) return Failed(out.status());
    if (!progress->asked_total && page.total_count >= 0) progress->total = page.total_count;
    progress->asked_total = true;
    progress->cumulative += static_cast<int64_t>(page.changes.size());
    CollectionResult& cr = result->collections[c];
    cr.downloaded += out->applied;
    cr.conflicts += out->conflicts;
    result->downloaded += out->applied;
    result->conflicts += out->conflicts;
    NotifyObjects(out->changes);
    SyncNotification n;
    n.collection = c;
    n.status = "in_progress";
    n.total_count = progress->total;
    n.processed_count = static_cast<int64_t>(page.changes.size());
    n.cumulative_count = progress->cumulative;
    Notify(n);
    Log(LogLevel::kDebug, {{"event", "page"}, {"collection", c}, {"changes", page.changes.size()},
                           {"applied", out->applied}, {"conflicts", out->conflicts}});
    return Event(SyncEvent::Kind::kPulled, page.more);
  }

  // The end of one collection: "ok", or "error" with the operations the server refused.
  void CollectionDone(const std::string& c, const Progress& progress, const SyncResult& result) {
    SyncNotification n;
    n.collection = c;
    n.total_count = progress.total;
    n.cumulative_count = progress.cumulative;
    for (const PendingOperation& e : result.errors) {
      if (e.collection == c) n.server_errors.push_back(e);
    }
    n.status = n.server_errors.empty() ? "ok" : "error";
    if (!n.server_errors.empty()) {
      n.error_code = HttpStatusOf(Status::FromCode(Status::CodeFromName(n.server_errors[0].code),
                                                   n.server_errors[0].message));
      n.error_message = std::to_string(n.server_errors.size()) + " operation(s) refused";
    }
    Notify(n);
  }

  SyncEvent Wait(int64_t micros) {
    std::unique_lock<std::mutex> lock(mu);
    int64_t deadline = env->clock->NowMicros() + micros;
    env->clock->WaitUntil(cv, lock, deadline, [this] { return cancel.load() || stop; });
    return Event(SyncEvent::Kind::kWaited);
  }

  Result<SyncResult> Run(std::vector<std::string> collections, SyncStrategy strat) {
    std::lock_guard<std::mutex> running(run_mu);
    cancel = false;
    const int64_t start = env->clock->NowMicros();
    const uint64_t bytes_before = adapter->BytesTransferred();
    const uint64_t requests_before = adapter->RequestsSent();
    SyncResult result;
    Status status = RunMachine(collections, strat, &result);
    result.duration_micros = env->clock->NowMicros() - start;
    const uint64_t bytes = adapter->BytesTransferred() - bytes_before;
    result.bytes = bytes;
    result.requests = adapter->RequestsSent() - requests_before;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++stats.syncs;
      if (!status.ok()) ++stats.failed_syncs;
      total_duration += result.duration_micros;
      stats.average_duration_micros = total_duration / stats.syncs;
      stats.bytes_transferred += bytes;
      stats.documents_up += result.uploaded;
      stats.documents_down += result.downloaded;
    }
    Log(status.ok() ? LogLevel::kInfo : LogLevel::kError,
        {{"event", "sync"}, {"status", status.ok() ? "ok" : std::string(Status::CodeName(status.code()))},
         {"message", status.message()}, {"uploaded", result.uploaded},
         {"downloaded", result.downloaded}, {"conflicts", result.conflicts},
         {"errors", result.errors.size()}, {"duration_micros", result.duration_micros},
         {"bytes", bytes}, {"requests", result.requests}});
    SyncNotification done;
    done.collection = "*";
    done.status = "complete";
    if (!status.ok()) {
      done.status = "error";
      done.error_code = HttpStatusOf(status);
      done.error_message = status.message();
    }
    Notify(done);
    if (!status.ok()) return status;
    return result;
  }

  Status RunMachine(const std::vector<std::string>& collections, SyncStrategy strat,
                    SyncResult* result) {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t sync_number, db.BeginSync());
    SYNCLINE_ASSIGN_OR_RETURN(std::string client_id, db.GetSetting("client_id"));
    SyncPlan plan;
    plan.collections = collections;
    plan.strategy = strat;
    plan.registered = !client_id.empty();
    plan.can_login = static_cast<bool>(options.login);
    plan.max_retries = options.max_retries;
    plan.base_delay_micros = options.retry_delay.count() * 1000;
    plan.seed = static_cast<uint64_t>(env->clock->NowMicros());
    SyncMachine machine(plan);
    std::map<std::string, Progress> progress;
    std::string current;  // the collection of the last step, for an error notification
    SyncAction a = machine.Start();
    while (true) {
      if (cancel && a.kind != SyncAction::Kind::kFinish) a = machine.On(Event(SyncEvent::Kind::kCancel));
      SyncEvent e;
      switch (a.kind) {
        case SyncAction::Kind::kFinish:
          if (!a.status.ok() && !current.empty()) {
            SyncNotification n;
            n.collection = current;
            n.status = "error";
            n.error_code = HttpStatusOf(a.status);
            n.error_message = a.status.message();
            Notify(n);
          }
          return a.status;
        case SyncAction::Kind::kRegister:
          e = Register(&client_id);
          break;
        case SyncAction::Kind::kLogin:
          e = options.login(*adapter) ? Event(SyncEvent::Kind::kLoggedIn)
                                      : Failed(Status::Unauthenticated("login failed"));
          break;
        case SyncAction::Kind::kReset: {
          Log(LogLevel::kInfo, {{"event", "reset"}, {"reason", "unknown-client"}});
          Status s = db.ResetSyncState();
          client_id.clear();
          progress.clear();
          e = s.ok() ? Event(SyncEvent::Kind::kReset) : Failed(s);
          break;
        }
        case SyncAction::Kind::kPush:
          current = a.collection;
          e = Push(a.collection, client_id, sync_number, result);
          if (e.kind == SyncEvent::Kind::kPushed && !e.more && strat == SyncStrategy::kPushOnly) {
            CollectionDone(a.collection, progress[a.collection], *result);
          }
          break;
        case SyncAction::Kind::kPull:
          current = a.collection;
          e = Pull(a.collection, client_id, sync_number, &progress[a.collection], result);
          if (e.kind == SyncEvent::Kind::kPulled && !e.more) {
            CollectionDone(a.collection, progress[a.collection], *result);
          }
          break;
        case SyncAction::Kind::kWait:
          Log(LogLevel::kInfo, {{"event", "retry"}, {"wait_micros", a.wait_micros}});
          e = Wait(a.wait_micros);
          break;
      }
      a = machine.On(e);
    }
  }

  // `next`: when the first sync is due (counted from StartBackground, not from when this
  // thread happens to start).
  void BackgroundLoop(int64_t period_micros, int64_t next) {
    std::unique_lock<std::mutex> lock(mu);
    while (!stop) {
      env->clock->WaitUntil(cv, lock, next, [this] { return stop || wake; });
      if (stop) break;
      bool due = wake || env->clock->NowMicros() >= next;
      wake = false;
      if (!due) continue;
      if (online) {  // offline, the period passes without a sync; coming back wakes it
        lock.unlock();
        (void)Run(options.collections, strategy);
        lock.lock();
      }
      next = env->clock->NowMicros() + period_micros;
    }
  }
};

SyncEngine::SyncEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyncEngine::~SyncEngine() {
  Stop();
}

Result<std::unique_ptr<SyncEngine>> SyncEngine::Create(OfflineStore& store,
                                                       std::unique_ptr<NetworkAdapter> adapter,
                                                       SyncOptions options) {
  if (!adapter) return Status::InvalidArgument("a sync engine needs a network adapter");
  if (options.page_size < 1 || options.page_size > 10000) {
    return Status::InvalidArgument("page size must be 1 to 10,000");
  }
  if (options.batch_size < 1 || options.batch_size > 10000) {
    return Status::InvalidArgument("batch size must be 1 to 10,000");
  }
  if (options.max_retries < 0) return Status::InvalidArgument("max retries must be 0 or more");
  auto impl = std::make_unique<Impl>(store, std::move(adapter), std::move(options));
  SYNCLINE_ASSIGN_OR_RETURN(impl->strategy, ParseStrategy(impl->options.strategy));
  SYNCLINE_ASSIGN_OR_RETURN(impl->handlers, ParseHandlers(impl->options.handlers));
  impl->adapter->SetCancelFlag(&impl->cancel);
  return std::unique_ptr<SyncEngine>(new SyncEngine(std::move(impl)));
}

Result<SyncResult> SyncEngine::Sync() { return Sync(impl_->options.collections); }

Result<SyncResult> SyncEngine::Sync(const std::vector<std::string>& collections) {
  return impl_->Run(collections, impl_->strategy);
}

Result<SyncResult> SyncEngine::PushChanges() {
  return impl_->Run(impl_->options.collections, SyncStrategy::kPushOnly);
}

void SyncEngine::Cancel() {
  impl_->cancel = true;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->cv.notify_all();
}

bool SyncEngine::IsPending(const std::string& collection, const std::string& key) {
  Result<bool> r = impl_->db.IsPending(collection, key);
  return r.ok() && *r;
}

void SyncEngine::SetNotification(const std::string& collection,
                                 std::function<void(const SyncNotification&)> callback) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (callback) {
    impl_->notify[collection] = std::move(callback);
  } else {
    impl_->notify.erase(collection);
  }
}

void SyncEngine::WatchObjects(const std::string& collection, const std::vector<std::string>& keys) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->watched[collection].insert(keys.begin(), keys.end());
}

void SyncEngine::SetObjectNotification(std::function<void(const ObjectNotification&)> callback) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->object_notify = std::move(callback);
}

void SyncEngine::StartBackground(std::chrono::milliseconds period) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->background.joinable()) return;
  impl_->stop = false;
  int64_t micros = period.count() * 1000;
  int64_t first = impl_->env->clock->NowMicros() + micros;
  impl_->background = std::thread([this, micros, first] { impl_->BackgroundLoop(micros, first); });
}

void SyncEngine::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stop = true;
    impl_->cv.notify_all();
  }
  Cancel();
  if (impl_->background.joinable()) impl_->background.join();
}

void SyncEngine::SetNetworkStatus(bool online) {
  std::vector<std::function<void(bool)>> callbacks;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->online == online) return;
    impl_->online = online;
    if (online) impl_->wake = true;
    impl_->cv.notify_all();
    callbacks = impl_->network_callbacks;
  }
  if (!online) Cancel();  // a sync under way stops at its next safe point
  for (auto& cb : callbacks) cb(online);
}

bool SyncEngine::NetworkStatus() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->online;
}

void SyncEngine::OnNetworkStatus(std::function<void(bool online)> callback) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->network_callbacks.push_back(std::move(callback));
}

SyncStatistics SyncEngine::Statistics() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->stats;
}

void SyncEngine::SetLogLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->log_level = level;
}

Result<nlohmann::json> SyncEngine::ExportLog(size_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Json> events, impl_->db.Logs(limit));
  nlohmann::json out = nlohmann::json::array();
  for (Json& e : events) out.push_back(std::move(e));
  return out;
}

}  // namespace syncline
