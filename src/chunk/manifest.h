// Manifest: a file version as the ordered list of its chunks (docs/formats/manifest.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "syncline/result.h"
#include "util/sha256.h"

namespace syncline {

struct ChunkRef {
  Sha256Digest hash;
  uint32_t size = 0;
};

struct Manifest {
  std::vector<ChunkRef> chunks;

  uint64_t TotalSize() const;
  // Index of the chunk holding byte `offset`, and that chunk's start. REQUIRES: offset < size.
  size_t ChunkAt(uint64_t offset, uint64_t* chunk_start) const;

  std::string Encode() const;
  // Corruption if `bytes` is not a valid encoding.
  static Result<Manifest> Decode(std::string_view bytes);
};

}  // namespace syncline
