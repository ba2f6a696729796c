#include "chunk/chunker.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <vector>

#include "testing/test_util.h"
#include "util/sha256.h"

namespace syncline {

namespace {

std::vector<std::string> Chunks(const std::string& data, size_t feed = 1 << 20) {
  std::vector<std::string> out;
  Chunker c([&](std::string_view chunk) {
    out.emplace_back(chunk);
    return Status::OK();
  });
  for (size_t i = 0; i < data.size(); i += feed) {
    EXPECT_TRUE(c.Append(std::string_view(data).substr(i, feed)).ok());
  }
  EXPECT_TRUE(c.Finish().ok());
  return out;
}

std::vector<std::string> Hashes(const std::vector<std::string>& chunks) {
  std::vector<std::string> out;
  for (const auto& c : chunks) out.push_back(HexEncode(Sha256(c)));
  return out;
}

}  // namespace

TEST(ChunkerTest, SameDataSameBoundariesWhateverTheFeedSize) {
  std::string data = testing::RandomBytes(4 << 20, 1);
  auto whole = Chunks(data, data.size());
  // Feeds smaller and larger than max_size (256 KiB), cut in place or held and completed.
  for (size_t feed : {size_t{4093}, size_t{(256 << 10) - 1}, size_t{(256 << 10) + 1},
                      size_t{300000}, size_t{1 << 20}}) {
    EXPECT_EQ(Chunks(data, feed), whole) << "feed " << feed;
  }
  std::string small = data.substr(0, 1 << 20);
  EXPECT_EQ(Chunks(small, 1), Chunks(small, small.size()));
}

TEST(ChunkerTest, SizesStayWithinBoundsAndNearTheAverage) {
  std::string data = testing::RandomBytes(16 << 20, 2);
  auto chunks = Chunks(data);
  ChunkerParams p;
  size_t total = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    total += chunks[i].size();
    if (i + 1 < chunks.size()) {
      EXPECT_GE(chunks[i].size(), p.min_size);
      EXPECT_LE(chunks[i].size(), p.max_size);
    }
  }
  EXPECT_EQ(total, data.size());
  double avg = static_cast<double>(total) / chunks.size();
  EXPECT_GT(avg, p.avg_size * 0.6);
  EXPECT_LT(avg, p.avg_size * 1.5);
}

// An insertion near the start moves only the chunks around it: the rest deduplicate.
TEST(ChunkerTest, InsertionNearStartKeepsNinetyFivePercentOfChunks) {
  std::string data = testing::RandomBytes(64 << 20, 3);
  std::string edited = data;
  edited.insert(1000, "a few inserted bytes");
  auto before = Hashes(Chunks(data)), after = Hashes(Chunks(edited));
  std::set<std::string> old(before.begin(), before.end());
  size_t kept = 0;
  for (const auto& h : after) kept += old.count(h);
  EXPECT_GE(static_cast<double>(kept) / after.size(), 0.95)
      << kept << " of " << after.size() << " chunks unchanged";
}

// Pinned boundaries and hashes: if these move, deduplication against stored data breaks.
TEST(ChunkerTest, GoldenVectors) {
  auto chunks = Chunks(testing::RandomBytes(1 << 20, 42));
  std::vector<size_t> sizes;
  for (const auto& c : chunks) sizes.push_back(c.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{79061, 78006, 76203, 75889, 69803, 40465, 82406, 68659, 36037,
                                             72316, 67454, 76865, 86852, 88230, 50330}));
  EXPECT_EQ(HexEncode(Sha256(chunks[0])), "19475a1b09db2286c32747ea501f2bdbae7389351feeacd8a8f34a6f8b3a12f9");
}

TEST(ChunkerTest, EmptyAndTinyInputs) {
  EXPECT_TRUE(Chunks("").empty());
  EXPECT_EQ(Chunks("x"), std::vector<std::string>{"x"});
}

RC_GTEST_PROP(ChunkerProperty, ChunksConcatenateToTheInput, (const std::vector<uint8_t>& bytes)) {
  // Repeat to pass min_size often enough to exercise real cuts.
  std::string data;
  for (int i = 0; i < 50; ++i) data.append(bytes.begin(), bytes.end());
  ChunkerParams small{64, 256, 1024};
  std::string joined;
  Chunker c(
      [&](std::string_view chunk) {
        RC_ASSERT(!chunk.empty());
        RC_ASSERT(chunk.size() <= small.max_size);
        joined.append(chunk);
        return Status::OK();
      },
      small);
  RC_ASSERT(c.Append(data).ok());
  RC_ASSERT(c.Finish().ok());
  RC_ASSERT(joined == data);
}

}  // namespace syncline
