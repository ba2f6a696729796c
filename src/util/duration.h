// Durations as people type them on a command line: "90", "90s", "15m", "12h", "30d".
#pragma once

#include <cstdint>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

// Whole seconds, at least 1 and at most ten years. InvalidArgument otherwise.
Result<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace syncline
