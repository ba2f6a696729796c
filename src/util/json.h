// JSON parsing with the limits the API promises (nesting depth, size).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

using Json = nlohmann::json;

inline constexpr int kMaxJsonDepth = 64;

// Parses `text` as JSON. Returns InvalidArgument for malformed JSON or nesting deeper than
// `max_depth` levels (an object or array opens a level).
Result<Json> ParseJson(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace syncline
