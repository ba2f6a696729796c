#include "chunk/manifest.h"

#include <gtest/gtest.h>

namespace syncline {

TEST(ManifestTest, EncodeDecodeRoundTrip) {
  Manifest m;
  for (uint32_t i = 1; i <= 100; ++i) m.chunks.push_back({Sha256(std::to_string(i)), i * 1000});
  auto back = Manifest::Decode(m.Encode());
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->chunks.size(), m.chunks.size());
  for (size_t i = 0; i < m.chunks.size(); ++i) {
    EXPECT_EQ(back->chunks[i].hash, m.chunks[i].hash);
    EXPECT_EQ(back->chunks[i].size, m.chunks[i].size);
  }
  EXPECT_EQ(back->TotalSize(), m.TotalSize());
}

TEST(ManifestTest, RefusesDamagedEncodings) {
  Manifest m;
  m.chunks.push_back({Sha256("a"), 10});
  std::string good = m.Encode();
  EXPECT_EQ(Manifest::Decode(good.substr(0, good.size() - 1)).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(Manifest::Decode(good + "x").status().code(), Status::Code::kCorruption);
  std::string bad_version = good;
  bad_version[0] = 9;
  EXPECT_EQ(Manifest::Decode(bad_version).status().code(), Status::Code::kCorruption);
}

TEST(ManifestTest, ChunkAtFindsTheChunkHoldingAnOffset) {
  Manifest m;
  m.chunks = {{Sha256("a"), 10}, {Sha256("b"), 20}, {Sha256("c"), 5}};
  uint64_t start;
  EXPECT_EQ(m.ChunkAt(0, &start), 0u);
  EXPECT_EQ(start, 0u);
  EXPECT_EQ(m.ChunkAt(10, &start), 1u);
  EXPECT_EQ(start, 10u);
  EXPECT_EQ(m.ChunkAt(34, &start), 2u);
  EXPECT_EQ(start, 30u);
}

}  // namespace syncline
