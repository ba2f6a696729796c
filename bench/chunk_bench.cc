// Chunk layer throughput in process: FastCDC cut points, SHA-256, and both (what uploads do).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "chunk/chunker.h"
#include "util/sha256.h"

namespace syncline {
namespace {

const std::string& Data() {
  static std::string data = [] {
    std::string d(256 << 20, '\0');
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < d.size(); i += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(&d[i], &x, 8);
    }
    return d;
  }();
  return data;
}

void BM_CutPoints(benchmark::State& state) {
  const std::string& d = Data();
  for (auto _ : state) {
    Chunker c([](std::string_view) { return Status::OK(); });
    benchmark::DoNotOptimize(c.Append(d).ok() && c.Finish().ok());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(d.size()));
}
BENCHMARK(BM_CutPoints)->Unit(benchmark::kMillisecond);

// The FastCDC scan alone, without the Chunker's buffering: the bound on BM_CutPoints.
void BM_CutPointScan(benchmark::State& state) {
  const std::string& d = Data();
  const auto* p = reinterpret_cast<const uint8_t*>(d.data());
  ChunkerParams params;
  for (auto _ : state) {
    size_t pos = 0, chunks = 0;
    while (pos < d.size()) {
      pos += NextCutPoint(p + pos, d.size() - pos, params);
      ++chunks;
    }
    benchmark::DoNotOptimize(chunks);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(d.size()));
}
BENCHMARK(BM_CutPointScan)->Unit(benchmark::kMillisecond);

void BM_Sha256(benchmark::State& state) {
  const std::string& d = Data();
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(d));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(d.size()));
}
BENCHMARK(BM_Sha256)->Unit(benchmark::kMillisecond);

// What the chunk layer does per byte of content: cut, then hash each chunk.
void BM_ChunkAndHash(benchmark::State& state) {
  const std::string& d = Data();
  Sha256Hasher h;
  for (auto _ : state) {
    Chunker c([&](std::string_view chunk) {
      h.Update(chunk.data(), chunk.size());
      benchmark::DoNotOptimize(h.Finish());
      return Status::OK();
    });
    benchmark::DoNotOptimize(c.Append(d).ok() && c.Finish().ok());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(d.size()));
}
BENCHMARK(BM_ChunkAndHash)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace syncline

BENCHMARK_MAIN();
