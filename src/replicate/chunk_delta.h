// Chunk deltas: a finer need list for chunks the destination lacks (docs/formats/chunk-delta.md).
//
// A 64 KiB chunk is too coarse for small scattered edits: a 4 KiB patch would resend the whole
// chunk. So, like RDC's recursion and rsync's signatures, the destination describes the chunks
// it is about to replace (its "basis": the old version's chunks missing from the new manifest)
// as sub-chunks of about 512 bytes, cut by the same FastCDC with small parameters and named by
// 24 bits of their XXH3 hash and their size. The source cuts each needed chunk the same way and sends a recipe:
// copy ranges of basis chunks, plus the bytes of sub-chunks the basis lacks. The destination
// rebuilds each chunk and checks its full SHA-256, so a weak-hash collision cannot slip
// through: such a chunk is reported back and sent whole.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chunk/chunker.h"
#include "syncline/result.h"
#include "util/sha256.h"

namespace syncline {

inline constexpr ChunkerParams kSubChunkParams{128, 512, 2048};

// Appends the signature of one basis chunk to `out`.
void AppendBasisSignature(const Sha256Digest& hash, std::string_view chunk, std::string* out);

// The sub-chunks of a basis signature, by truncated hash.
class BasisIndex {
 public:
  // InvalidArgument if `signature` is malformed.
  static Result<BasisIndex> Parse(std::string_view signature);
  bool empty() const { return subs_.empty(); }

  struct Location {
    Sha256Digest chunk;
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  const Location* Find(uint64_t hash32, uint32_t size) const;

 private:
  std::vector<Sha256Digest> chunks_;
  std::unordered_map<uint64_t, Location> subs_;
};

// Appends a recipe that rebuilds `chunk` (named `hash`) from `basis` plus literal bytes, and
// returns how many literal bytes it carries.
size_t AppendRecipe(const Sha256Digest& hash, std::string_view chunk, const BasisIndex& basis,
                    std::string* out);

// Rebuilds every chunk of a recipe batch. `read_basis` fetches a basis chunk; `store` keeps a
// rebuilt chunk whose SHA-256 matched; chunks that did not match (or whose basis is gone) are
// appended to `failed`. InvalidArgument if the batch is malformed.
Status ApplyRecipes(std::string_view batch,
                    const std::function<Status(const Sha256Digest&, std::string*)>& read_basis,
                    const std::function<Status(const Sha256Digest&, std::string_view)>& store,
                    std::vector<Sha256Digest>* failed);

}  // namespace syncline
