// FastCDC content-defined chunking with a gear hash and normalized chunking. Pure: bytes in,
// cut points out. The parameters and gear table are part of the format (docs/formats/chunk.md):
// changing them moves boundaries and breaks deduplication against stored versions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "syncline/status.h"

namespace syncline {

struct ChunkerParams {
  size_t min_size = 16 * 1024;
  size_t avg_size = 64 * 1024;  // a power of two
  size_t max_size = 256 * 1024;
};

// Returns the length of the first chunk of `data` (1..n). The whole of `data` when it is no
// longer than min_size; at most max_size. Callers that have more input should pass at least
// max_size bytes, so that a cut is never made only because the buffer ended.
size_t NextCutPoint(const uint8_t* data, size_t n, const ChunkerParams& params);

// Cuts a stream into chunks as it is fed. Not thread-safe.
class Chunker {
 public:
  // Called once per chunk, in order; the view is valid only during the call. A non-OK status
  // stops the chunker and is returned by Append/Finish.
  using Sink = std::function<Status(std::string_view chunk)>;

  explicit Chunker(Sink sink, ChunkerParams params = {});

  Status Append(std::string_view data);
  // Emits what is left as the last chunks.
  Status Finish();

 private:
  Sink sink_;
  ChunkerParams params_;
  // Bytes of earlier appends not emitted yet: always fewer than max_size, as a cut needs
  // max_size bytes ahead (or the end of the stream). Larger appends are cut in place.
  std::string buf_;
};

}  // namespace syncline
