// ServerMetrics: the counters a node keeps as it works (requests, bytes, writes), written out
// by GET /metrics with the gauges read at scrape time (api_metrics.cc).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "net/metrics_text.h"
#include "store/store.h"
#include "sync/garbage_collector.h"

namespace syncline {

// Thread-safe.
class ServerMetrics {
 public:
  // One answered request: its route pattern ("/v1/db/{db}/docs/{collection}/{key+}", or
  // "unmatched"), method, status, time from its header read to its answer written, and bytes.
  void RecordRequest(std::string_view route, std::string_view method, int status,
                     double seconds, uint64_t bytes_in, uint64_t bytes_out);
  // One commit that wrote items (the store's change listener).
  void RecordCommit(const Store::Commit& commit);

  // The chunk stats last measured for `db` (they walk every manifest, so a scrape reuses them
  // for a while): nullopt if none was measured at or after `not_before`.
  std::optional<ChunkStats> ChunkStatsOf(const std::string& db, int64_t not_before) const;
  void RecordChunkStats(const std::string& db, const ChunkStats& stats, int64_t measured_at);

  // The families kept here: requests, latency, bytes, writes.
  void Write(MetricsText* out) const;

 private:
  struct RouteStats {
    std::map<int, uint64_t> by_status;
    HistogramValue latency;
  };
  struct Writes {
    int64_t documents = 0;
    int64_t files = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, RouteStats> routes_;  // (route, method)
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  std::map<std::string, Writes> writes_;  // by database
  std::map<std::string, std::pair<ChunkStats, int64_t>> chunk_stats_;  // by database, with when
};

}  // namespace syncline
