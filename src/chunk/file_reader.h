// FileReader: streams a stored file's content, or a byte range of it, chunk by chunk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chunk/manifest.h"
#include "store/store.h"

namespace syncline {

// Not thread-safe. The store must outlive the reader.
class FileReader {
 public:
  // Reads bytes [offset, offset + length) of the file. REQUIRES: the range is inside the file.
  FileReader(Store* store, std::string db, Manifest manifest, uint64_t offset, uint64_t length);

  // The next piece of content (at most one chunk), empty at the end. The view is valid until
  // the next call. Corruption if a chunk is missing or damaged.
  Result<std::string_view> Next();

 private:
  Store* store_;
  std::string db_;
  Manifest manifest_;
  size_t index_;
  uint64_t skip_;       // bytes to drop from the front of the next chunk
  uint64_t remaining_;  // bytes still to return
  std::string buf_;
  // The chunks of this version stay while it is read, even if a newer version replaces it and
  // a garbage collection runs meanwhile.
  std::shared_ptr<PinnedChunks> pins_;
};

}  // namespace syncline
