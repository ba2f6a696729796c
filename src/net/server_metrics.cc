#include "net/server_metrics.h"

namespace syncline {

void ServerMetrics::RecordRequest(std::string_view route, std::string_view method, int status,
                                  double seconds, uint64_t bytes_in, uint64_t bytes_out) {
  std::lock_guard<std::mutex> lock(mu_);
  RouteStats& r = routes_[{std::string(route), std::string(method)}];
  ++r.by_status[status];
  r.latency.Observe(DefaultLatencyBuckets(), seconds);
  bytes_in_ += bytes_in;
  bytes_out_ += bytes_out;
}

void ServerMetrics::RecordCommit(const Store::Commit& commit) {
  std::lock_guard<std::mutex> lock(mu_);
  Writes& w = writes_[commit.db];
  w.documents += commit.documents_written;
  w.files += commit.files_written;
}

std::optional<ChunkStats> ServerMetrics::ChunkStatsOf(const std::string& db,
                                                      int64_t not_before) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = chunk_stats_.find(db);
  if (it == chunk_stats_.end() || it->second.second < not_before) return std::nullopt;
  return it->second.first;
}

void ServerMetrics::RecordChunkStats(const std::string& db, const ChunkStats& stats,
                                     int64_t measured_at) {
  std::lock_guard<std::mutex> lock(mu_);
  chunk_stats_[db] = {stats, measured_at};
}

void ServerMetrics::Write(MetricsText* out) const {
  using Type = MetricsText::Type;
  std::lock_guard<std::mutex> lock(mu_);
  out->Family("syncline_http_requests_total", Type::kCounter,
              "HTTP requests answered, by route pattern, method and status code.");
  for (const auto& [key, r] : routes_) {
    for (const auto& [status, n] : r.by_status) {
      out->Sample({{"route", key.first}, {"method", key.second}, {"code", std::to_string(status)}},
                  static_cast<double>(n));
    }
  }
  out->Family("syncline_http_request_duration_seconds", Type::kHistogram,
              "Time from a request's header read to its answer written, by route and method.");
  for (const auto& [key, r] : routes_) {
    out->Histogram({{"route", key.first}, {"method", key.second}}, DefaultLatencyBuckets(),
                   r.latency);
  }
  out->Family("syncline_http_received_bytes_total", Type::kCounter,
              "Request body bytes received.");
  out->Sample({}, static_cast<double>(bytes_in_));
  out->Family("syncline_http_sent_bytes_total", Type::kCounter,
              "Response body bytes sent.");
  out->Sample({}, static_cast<double>(bytes_out_));
  out->Family("syncline_documents_written_total", Type::kCounter,
              "Document versions committed (tombstones included), by database.");
  for (const auto& [db, w] : writes_) out->Sample({{"db", db}}, static_cast<double>(w.documents));
  out->Family("syncline_files_written_total", Type::kCounter,
              "File versions committed (tombstones included), by database.");
  for (const auto& [db, w] : writes_) out->Sample({{"db", db}}, static_cast<double>(w.files));
}

}  // namespace syncline
