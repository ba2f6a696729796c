// Chunk recipes: a patched chunk is rebuilt from its basis plus few literal bytes, and nothing
// wrong is ever stored.
#include "replicate/chunk_delta.h"

#include <gtest/gtest.h>

#include <map>

#include "replicate/chunk_batch.h"
#include "testing/test_util.h"

namespace syncline {

namespace {

struct Rebuilt {
  std::map<Sha256Digest, std::string> stored;
  std::vector<Sha256Digest> failed;
  Status status;
};

Rebuilt Apply(const std::string& batch, const std::map<Sha256Digest, std::string>& basis) {
  Rebuilt out;
  out.status = ApplyRecipes(
      batch,
      [&](const Sha256Digest& h, std::string* data) {
        auto it = basis.find(h);
        if (it == basis.end()) return Status::NotFound("no basis");
        *data = it->second;
        return Status::OK();
      },
      [&](const Sha256Digest& h, std::string_view data) {
        out.stored[h] = std::string(data);
        return Status::OK();
      },
      &out.failed);
  return out;
}

}  // namespace

TEST(ChunkDeltaTest, APatchedChunkTravelsAsLittleMoreThanThePatch) {
  std::string old_chunk = testing::RandomBytes(64 * 1024, 1);
  std::string new_chunk = old_chunk;
  new_chunk.replace(30000, 4096, testing::RandomBytes(4096, 2));
  std::string signature;
  AppendBasisSignature(Sha256(old_chunk), old_chunk, &signature);
  EXPECT_LT(signature.size(), 2048u) << "about 5 bytes per 512-byte sub-chunk";
  auto basis = BasisIndex::Parse(signature);
  ASSERT_OK(basis);

  std::string batch;
  size_t literal = AppendRecipe(Sha256(new_chunk), new_chunk, *basis, &batch);
  EXPECT_GE(literal, 4096u);
  EXPECT_LT(literal, 4096u + 3 * 2048u) << "only the sub-chunks the patch touched";
  EXPECT_LT(batch.size(), literal + 256);

  Rebuilt r = Apply(batch, {{Sha256(old_chunk), old_chunk}});
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.failed.empty());
  ASSERT_EQ(r.stored.size(), 1u);
  EXPECT_EQ(r.stored.begin()->second, new_chunk);
}

TEST(ChunkDeltaTest, AWrongOrMissingBasisIsReportedNotStored) {
  std::string old_chunk = testing::RandomBytes(64 * 1024, 3);
  std::string new_chunk = old_chunk;
  new_chunk[100] ^= 1;
  std::string signature;
  AppendBasisSignature(Sha256(old_chunk), old_chunk, &signature);
  std::string batch;
  AppendRecipe(Sha256(new_chunk), new_chunk, *BasisIndex::Parse(signature), &batch);

  std::string damaged = old_chunk;
  damaged[40000] ^= 1;  // the destination's basis is not what the signature said
  Rebuilt r = Apply(batch, {{Sha256(old_chunk), damaged}});
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.stored.empty());
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0], Sha256(new_chunk));

  r = Apply(batch, {});  // basis gone
  EXPECT_TRUE(r.stored.empty());
  EXPECT_EQ(r.failed.size(), 1u);
}

TEST(ChunkDeltaTest, MalformedInputIsRefused) {
  EXPECT_FALSE(BasisIndex::Parse(std::string(33, 'x')).ok());
  std::string batch;
  std::string chunk = testing::RandomBytes(5000, 4);
  AppendRecipe(Sha256(chunk), chunk, BasisIndex(), &batch);
  Rebuilt whole = Apply(batch, {});
  ASSERT_OK(whole.status);
  EXPECT_EQ(whole.stored.size(), 1u) << "a recipe without basis is all literal";
  Rebuilt cut = Apply(batch.substr(0, batch.size() - 10), {});
  EXPECT_EQ(cut.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(cut.stored.empty());
}

TEST(ChunkBatchTest, ChunksRoundTripAndABadHashIsRefused) {
  ChunkBatchWriter w;
  std::string a = testing::RandomBytes(70000, 5), b(50000, 'z');  // incompressible, compressible
  w.Add(Sha256(a), a);
  w.Add(Sha256(b), b);
  EXPECT_LT(w.bytes().size(), a.size() + 1000) << "the compressible chunk shrinks";
  std::vector<std::string> got;
  ASSERT_OK(ForEachBatchChunk(w.bytes(), [&](const Sha256Digest& h, std::string_view d) {
    EXPECT_EQ(h, Sha256(d));
    got.emplace_back(d);
    return Status::OK();
  }));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], b);
  ChunkBatchWriter lie;
  lie.Add(Sha256("other"), a);
  EXPECT_EQ(ForEachBatchChunk(lie.bytes(), [](const Sha256Digest&, std::string_view) { return Status::OK(); })
                .code(),
            Status::Code::kCorruption);
}

}  // namespace syncline
