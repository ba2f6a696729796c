// GET /metrics: the node in the Prometheus text format. Counters kept as the node works
// (server_metrics.h, the replicator's run counters) and gauges read now from the store.
#include <unistd.h>

#include <fstream>

#include "net/api.h"
#include "net/metrics_text.h"
#include "replicate/destinations.h"
#include "sync/garbage_collector.h"

namespace syncline {

namespace {

using Type = MetricsText::Type;

constexpr int64_t kActiveClientMicros = 3600LL * 1000000;  // "active": seen in the last hour
constexpr int64_t kChunkStatsMaxAgeMicros = 60LL * 1000000;  // chunk stats walk manifests

double Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

// The process's resident memory, from /proc/self/statm (pages); 0 if unreadable.
double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

// One family per metric, each with a sample per database (and destination) as it applies:
// the families are written in turn, so each walks the databases again from `dbs`.
ApiResponse Api::Metrics(const ApiCall& c) {
  (void)c;
  Result<std::vector<DatabaseInfo>> listed = store_->ListDatabases();
  if (!listed.ok()) return ApiResponse::Error(listed.status());
  const std::vector<DatabaseInfo>& dbs = *listed;
  int64_t now = env_->clock->NowMicros();
  MetricsText out;

  out.Family("syncline_build_info", Type::kGauge, "Always 1: the node's id and name as labels.");
  out.Sample({{"node_id", store_->node_id()}, {"node_name", node_name_}}, 1);
  out.Family("syncline_start_time_seconds", Type::kGauge,
             "When this process started, in seconds since the Unix epoch.");
  out.Sample({}, Seconds(started_at_));
  out.Family("process_resident_memory_bytes", Type::kGauge, "Resident memory of the process.");
  out.Sample({}, ResidentBytes());
  if (metrics_) metrics_->Write(&out);

  out.Family("syncline_databases", Type::kGauge, "Databases on this node.");
  out.Sample({}, static_cast<double>(dbs.size()));
  out.Family("syncline_last_etag", Type::kGauge, "The database's change feed position.");
  for (const DatabaseInfo& d : dbs) out.Sample({{"db", d.name}}, static_cast<double>(d.last_etag));

  WriteDestinationMetrics(dbs, now, &out);
  WriteRunCounters(&out);
  WriteStateMetrics(dbs, now, &out);
  WriteStoreMetrics(dbs, now, &out);

  ApiResponse r;
  r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  r.body = out.text();
  return r;
}

void Api::WriteDestinationMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now,
                                  MetricsText* out) {
  struct Row {
    MetricLabels labels;
    double queued = 0, in_flight = 0, lag_items = 0, lag_seconds = 0, up = 0, last_success = 0;
  };
  std::vector<Row> rows;
  for (const DatabaseInfo& db : dbs) {
    Result<std::vector<Destination>> dests = syncline::ListDestinations(store_, db.name);
    if (!dests.ok()) continue;
    for (const Destination& d : *dests) {
      Row row;
      row.labels = {{"db", db.name}, {"destination", d.url}};
      DestinationHealth h = HealthOf(db.name, d, now);
      row.queued = static_cast<double>(h.queued);
      row.in_flight = static_cast<double>(h.in_flight);
      row.lag_items = static_cast<double>(h.lag_items);
      row.lag_seconds = h.lag_seconds;
      row.up = d.enabled && d.last_run_at > 0 && d.last_error.ok();
      row.last_success = Seconds(d.last_success_at);
      rows.push_back(std::move(row));
    }
  }
  auto family = [&](const char* name, const char* help, double Row::*field) {
    out->Family(name, Type::kGauge, help);
    for (const Row& r : rows) out->Sample(r.labels, r.*field);
  };
  family("syncline_sync_queue_depth", "Items waiting to be pushed to the destination.", &Row::queued);
  family("syncline_sync_in_flight", "Items being pushed to the destination now.", &Row::in_flight);
  family("syncline_replication_lag_items",
         "Changes in the feed after what the destination has (counted up to 1000000).",
         &Row::lag_items);
  family("syncline_replication_lag_seconds",
         "Age of the oldest change the destination does not have yet; 0 when caught up.",
         &Row::lag_seconds);
  family("syncline_destination_up", "1 if the destination's last run succeeded.", &Row::up);
  family("syncline_destination_last_success_seconds",
         "When a run to the destination last succeeded, in seconds since the epoch (0: never).",
         &Row::last_success);
}

void Api::WriteRunCounters(MetricsText* out) {
  std::vector<RunCounters> counters = replicator_ ? replicator_->Counters() : std::vector<RunCounters>();
  auto family = [&](const char* name, const char* help, int64_t RunCounters::*field) {
    out->Family(name, Type::kCounter, help);
    for (const RunCounters& c : counters) {
      out->Sample({{"db", c.db}, {"destination", c.url}}, static_cast<double>(c.*field));
    }
  };
  family("syncline_sync_runs_total", "Runs of the destination's push.", &RunCounters::runs);
  family("syncline_sync_retries_total", "Runs that retried after a failed run.", &RunCounters::retries);
  family("syncline_sync_items_total", "Items pushed (each report, conflicts included).",
         &RunCounters::items);
  family("syncline_sync_conflicts_total", "Items the destination settled as a conflict.",
         &RunCounters::conflicts);
  family("syncline_sync_transferred_bytes_total", "Content bytes sent to the destination.",
         &RunCounters::bytes_transferred);
  out->Family("syncline_sync_failures_total", Type::kCounter,
              "Failed runs, by the error code that failed them.");
  for (const RunCounters& c : counters) {
    for (const auto& [code, n] : c.failures) {
      out->Sample({{"db", c.db}, {"destination", c.url}, {"code", code}}, static_cast<double>(n));
    }
  }
}

void Api::WriteStateMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now, MetricsText* out) {
  out->Family("syncline_conflicts_open", Type::kGauge, "Unresolved conflicts.");
  for (const DatabaseInfo& db : dbs) {
    int64_t open = 0;
    std::optional<ItemRef> after;
    while (true) {  // paged: the count, not every conflict in memory at once
      auto page = store_->ListConflicts(db.name, after ? &*after : nullptr, 1000);
      if (!page.ok() || page->empty()) break;
      open += static_cast<int64_t>(page->size());
      after = page->back().ref;
    }
    out->Sample({{"db", db.name}}, static_cast<double>(open));
  }
  out->Family("syncline_collection_sync_jobs", Type::kGauge,
              "Collection sync jobs by state (the 1000 newest per database).");
  for (const DatabaseInfo& db : dbs) {
    std::map<std::string, int64_t> by_state;
    for (const char* s : {kJobPending, kJobRunning, kJobDone, kJobFailed, kJobCancelled}) by_state[s] = 0;
    if (auto jobs = store_->ListJobs(db.name, 1000); jobs.ok()) {
      for (const JobRecord& j : *jobs) ++by_state[j.state];
    }
    for (const auto& [state, n] : by_state) {
      out->Sample({{"db", db.name}, {"state", state}}, static_cast<double>(n));
    }
  }
  std::vector<std::pair<MetricLabels, FollowerView>> followers;
  for (const DatabaseInfo& db : dbs) {
    if (!followers_) break;
    auto list = followers_->List(db.name);
    if (!list.ok()) continue;
    for (const FollowerView& f : *list) {
      followers.push_back({{{"db", db.name}, {"collection", f.record.collection}}, f});
    }
  }
  out->Family("syncline_follower_lag_etags", Type::kGauge,
              "How far a following collection is behind its master's feed, in etags.");
  for (const auto& [labels, f] : followers) out->Sample(labels, static_cast<double>(f.lag_etags));
  out->Family("syncline_follower_lag_seconds", Type::kGauge,
              "How long a following collection has been behind its master.");
  for (const auto& [labels, f] : followers) out->Sample(labels, f.lag_seconds);
  out->Family("syncline_clients_registered", Type::kGauge, "Offline-first clients registered.");
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> clients;
  for (const DatabaseInfo& db : dbs) {
    auto list = store_->ListClients(db.name);
    if (!list.ok()) continue;
    int64_t active = 0;
    for (const ClientRecord& r : *list) active += now - r.last_seen_at <= kActiveClientMicros;
    clients.push_back({db.name, {static_cast<int64_t>(list->size()), active}});
  }
  for (const auto& [db, n] : clients) out->Sample({{"db", db}}, static_cast<double>(n.first));
  out->Family("syncline_clients_active", Type::kGauge, "Clients seen in the last hour.");
  for (const auto& [db, n] : clients) out->Sample({{"db", db}}, static_cast<double>(n.second));
}

void Api::WriteStoreMetrics(const std::vector<DatabaseInfo>& dbs, int64_t now, MetricsText* out) {
  std::vector<std::pair<std::string, ChunkStats>> stats;
  for (const DatabaseInfo& db : dbs) {
    std::optional<ChunkStats> s = metrics_ ? metrics_->ChunkStatsOf(db.name, now - kChunkStatsMaxAgeMicros)
                                           : std::nullopt;
    if (!s) {
      Result<ChunkStats> measured = GetChunkStats(store_, db.name);
      if (!measured.ok()) continue;
      if (metrics_) metrics_->RecordChunkStats(db.name, *measured, now);
      s = *measured;
    }
    stats.push_back({db.name, *s});
  }
  auto family = [&](const char* name, const char* help, auto value) {
    out->Family(name, Type::kGauge, help);
    for (const auto& [db, s] : stats) out->Sample({{"db", db}}, value(s));
  };
  family("syncline_store_pack_bytes", "Bytes of the database's pack files on disk.",
         [](const ChunkStats& s) { return static_cast<double>(s.disk_bytes); });
  family("syncline_store_garbage_bytes", "Pack bytes no live file names (collected by gc).",
         [](const ChunkStats& s) { return static_cast<double>(s.garbage_bytes); });
  family("syncline_store_chunks", "Chunks stored.",
         [](const ChunkStats& s) { return static_cast<double>(s.chunks); });
  family("syncline_chunk_dedup_ratio",
         "Content bytes the live files name over the bytes their distinct chunks take on disk "
         "(1: no sharing; higher: identical content stored once).",
         [](const ChunkStats& s) {
           return s.live_bytes == 0 ? 1.0
                                    : static_cast<double>(s.referenced_bytes) /
                                          static_cast<double>(s.live_bytes);
         });
}

}  // namespace syncline
