// Applying a pull page costs in proportion to the page, not to the local store: a page of 100
// changes (half updates of documents the client holds, half new ones) applied into stores of
// 1,000 and of 1,000,000 documents. Prints one JSON object; medians of 30 pages each.
// Usage: page_apply_bench DIR [LARGE_DOCS]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "client/client_db.h"
#include "util/xorshift.h"

using namespace syncline;
using Steady = std::chrono::steady_clock;

namespace {

Json Body(uint64_t i) {
  return {{"title", "note " + std::to_string(i)}, {"n", i},
          {"body", std::string(120, static_cast<char>('a' + i % 26))}};
}

// Fills the store with `n` documents through pages of 10,000 (as an initial pull would).
Status Fill(ClientDb& db, int64_t n) {
  const Resolver resolver = Resolver::ServerWins();
  for (int64_t start = 0; start < n; start += 10000) {
    PullPage page;
    page.cursor = "c" + std::to_string(start);
    for (int64_t i = start; i < std::min(n, start + 10000); ++i) {
      page.changes.push_back({"k" + std::to_string(i), i + 1, ServerChange::Op::kPut,
                              Body(static_cast<uint64_t>(i))});
    }
    SYNCLINE_RETURN_IF_ERROR(db.ApplyPage("notes", page, resolver, 1).status());
  }
  return Status::OK();
}

// Median microseconds to apply 30 pages of 100 changes into `db`, which holds `n` documents.
Result<double> PageMicros(ClientDb& db, int64_t n, uint64_t seed) {
  const Resolver resolver = Resolver::ServerWins();
  Xorshift64 rng(seed);
  int64_t next_new = n, etag = n + 1;
  std::vector<double> times;
  for (int p = 0; p < 30; ++p) {
    PullPage page;
    page.cursor = "p" + std::to_string(p);
    for (int i = 0; i < 100; ++i) {
      bool update = i % 2 == 0;
      int64_t key = update ? static_cast<int64_t>(rng.Next() % static_cast<uint64_t>(n)) : next_new++;
      page.changes.push_back({"k" + std::to_string(key), ++etag, ServerChange::Op::kPut,
                              Body(rng.Next())});
    }
    auto t = Steady::now();
    SYNCLINE_RETURN_IF_ERROR(db.ApplyPage("notes", page, resolver, 2).status());
    times.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int Die(const Status& s) {
  std::cerr << "page_apply_bench: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: page_apply_bench DIR [LARGE_DOCS]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t large = argc > 2 ? std::stoll(argv[2]) : 1000000;
  Json out = Json::object();
  for (int64_t n : {int64_t{1000}, large}) {
    auto db = ClientDb::Open(dir + "/store-" + std::to_string(n) + ".db", Env::Default());
    if (!db.ok()) return Die(db.status());
    auto t = Steady::now();
    if (Status s = Fill(**db, n); !s.ok()) return Die(s);
    double fill = std::chrono::duration<double>(Steady::now() - t).count();
    Result<double> micros = PageMicros(**db, n, 7);
    if (!micros.ok()) return Die(micros.status());
    out[std::to_string(n)] = {{"fill_seconds", fill}, {"page_of_100_median_micros", *micros}};
    std::cerr << n << " documents: a page of 100 applies in " << *micros << " us (median)\n";
  }
  std::cout << out.dump() << "\n";
  return 0;
}
