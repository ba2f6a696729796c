// Chunk batches: the body that carries needed chunks to a destination (docs/formats/chunk-batch.md).
// Each chunk is zstd-compressed when that makes it smaller, else sent as it is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "syncline/result.h"
#include "util/sha256.h"

namespace syncline {

inline constexpr uint32_t kMaxBatchChunkBytes = 4u << 20;  // far above the chunker's maximum

class ChunkBatchWriter {
 public:
  ChunkBatchWriter();
  ~ChunkBatchWriter();

  // Appends one chunk. REQUIRES: hash == Sha256(data).
  void Add(const Sha256Digest& hash, std::string_view data);
  const std::string& bytes() const { return out_; }
  size_t chunk_count() const { return count_; }
  void Clear() {
    out_.clear();
    count_ = 0;
  }

 private:
  struct Compressor;  // a reused zstd context: making one per call costs more than a chunk
  std::unique_ptr<Compressor> zstd_;
  std::string out_;
  std::string scratch_;
  size_t count_ = 0;
};

// Calls `fn` with each chunk of `batch` after checking its hash; InvalidArgument for a malformed
// batch, Corruption for a chunk whose bytes do not match its hash.
Status ForEachBatchChunk(std::string_view batch,
                         const std::function<Status(const Sha256Digest&, std::string_view)>& fn);

}  // namespace syncline
