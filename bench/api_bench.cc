// End-to-end API figures against a running server: file put/get throughput, bulk document
// writes, single document put latency. Usage: api_bench URL API_KEY [FILE_MIB]
// Prints one JSON object with the figures.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include "net/http_client.h"
#include "util/json.h"
#include "util/xorshift.h"

using namespace syncline;
using Clock = std::chrono::steady_clock;

static double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

static int Die(const Status& s) {
  std::cerr << "api_bench: " << s.ToString() << "\n";
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: api_bench URL API_KEY [FILE_MIB]\n";
    return 2;
  }
  HttpClient c(argv[1], argv[2]);
  uint64_t file_bytes = (argc > 3 ? std::stoull(argv[3]) : 1024) << 20;
  (void)c.Send("DELETE", "/v1/db/bench");  // a leftover of an earlier run, if any
  if (auto r = c.Send("PUT", "/v1/db/bench"); !r.ok()) return Die(r.status());
  Json out;

  // File put: incompressible bytes generated on the fly (xorshift, ~5 GB/s, not the bottleneck).
  Xorshift64 stream(1);
  uint64_t sent = 0;
  auto t = Clock::now();
  auto put = c.Upload(
      "/v1/db/bench/files/big.bin",
      [&](char* buf, size_t n) -> Result<size_t> {
        n = std::min<uint64_t>(n, file_bytes - sent);
        stream.Fill(buf, n);
        sent += n;
        return n;
      },
      static_cast<int64_t>(file_bytes));
  if (!put.ok()) return Die(put.status());
  double put_s = Since(t);
  out["file_put_mb_per_s"] = file_bytes / put_s / 1e6;

  uint64_t got = 0;
  t = Clock::now();
  auto get = c.Download("/v1/db/bench/files/big.bin", [&](std::string_view d) {
    got += d.size();
    return Status::OK();
  });
  if (!get.ok()) return Die(get.status());
  out["file_get_mb_per_s"] = got / Since(t) / 1e6;
  out["file_bytes"] = file_bytes;

  // Bulk: 1000 documents of ~200 bytes a request.
  const int kRequests = 50, kPerRequest = 1000;
  std::vector<std::string> bodies;
  for (int r = 0; r < kRequests; ++r) {
    Json docs = Json::array();
    for (int i = 0; i < kPerRequest; ++i) {
      docs.push_back({{"collection", "people"},
                      {"key", "p" + std::to_string(r * kPerRequest + i)},
                      {"document", {{"name", "Person number " + std::to_string(i)},
                                    {"email", "person" + std::to_string(i) + "@example.com"},
                                    {"age", i % 90},
                                    {"tags", {"alpha", "beta", "gamma"}},
                                    {"note", std::string(80, 'n')}}}});
    }
    bodies.push_back(Json{{"docs", docs}}.dump());
  }
  t = Clock::now();
  for (const auto& b : bodies) {
    if (auto r = c.Send("POST", "/v1/db/bench/bulk", b); !r.ok()) return Die(r.status());
  }
  out["bulk_docs_per_s"] = kRequests * kPerRequest / Since(t);

  // Single puts over one kept-alive connection.
  std::vector<double> lat;
  for (int i = 0; i < 2000; ++i) {
    auto t0 = Clock::now();
    auto r = c.Send("PUT", "/v1/db/bench/docs/single/k" + std::to_string(i % 100),
                    R"({"name":"someone","n":)" + std::to_string(i) + "}");
    if (!r.ok()) return Die(r.status());
    lat.push_back(Since(t0) * 1e3);
  }
  std::sort(lat.begin(), lat.end());
  out["doc_put_p50_ms"] = lat[lat.size() / 2];
  out["doc_put_p99_ms"] = lat[lat.size() * 99 / 100];
  std::cout << out.dump() << "\n";
  return 0;
}
