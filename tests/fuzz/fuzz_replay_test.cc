// Replays every fuzz corpus and every crash input ever found (tests/fuzz/corpus/<target>/ and
// tests/fuzz/regressions/<target>/) through its target: each must run without a crash, a
// sanitizer report or an escaping exception. Part of `make test`; needs no clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_targets.h"

namespace syncline::fuzz {
namespace {

namespace fs = std::filesystem;

class FuzzReplayTest : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplayTest, EveryCorpusAndRegressionInputRuns) {
  const FuzzTarget& target = GetParam();
  int inputs = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(SYNCLINE_FUZZ_DIR) / kind / target.name;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      std::string data = buf.str();
      SCOPED_TRACE(entry.path().string());
      EXPECT_NO_THROW(target.fn(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0) << "no seed corpus for " << target.name;
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplayTest, ::testing::ValuesIn(kFuzzTargets),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) {
                           // "chunk_batch" -> "ChunkBatch"
                           std::string n;
                           bool upper = true;
                           for (const char* c = info.param.name; *c; ++c) {
                             if (*c == '_') {
                               upper = true;
                               continue;
                             }
                             n += upper ? static_cast<char>(std::toupper(*c)) : *c;
                             upper = false;
                           }
                           return n;
                         });

}  // namespace
}  // namespace syncline::fuzz
