// zstd compression of whole buffers (wire bodies, chunks).
#pragma once

#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

// One zstd frame of `data` at `level`.
std::string ZstdCompress(std::string_view data, int level = 1);
// The frame's content; InvalidArgument if it is not one frame or would exceed `max_size`.
Result<std::string> ZstdDecompress(std::string_view frame, size_t max_size);

}  // namespace syncline
