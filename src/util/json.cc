// Depth-limited JSON parsing on top of nlohmann::json.
#include "util/json.h"

#include <string>

namespace syncline {

namespace {
// Scans for the deepest nesting outside strings before parsing, so that a hostile document
// never builds a deep tree in memory.
int MaxDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  return max_depth;
}
}  // namespace

Result<Json> ParseJson(std::string_view text, int max_depth) {
  if (MaxDepth(text) > max_depth) {
    return Status::InvalidArgument("JSON is nested deeper than " + std::to_string(max_depth) +
                                   " levels");
  }
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("invalid JSON");
  return j;
}

}  // namespace syncline
