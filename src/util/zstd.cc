// zstd one-shot helpers; the frame records its content size, which bounds the output.
#include "util/zstd.h"

#include <zstd.h>

namespace syncline {

std::string ZstdCompress(std::string_view data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view frame, size_t max_size) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Status::InvalidArgument("body is not a zstd frame with a known size");
  }
  if (size > max_size) {
    return Status::TooLarge("compressed body expands past " + std::to_string(max_size) + " bytes");
  }
  std::string out(size, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != size) return Status::InvalidArgument("malformed zstd body");
  return out;
}

}  // namespace syncline
