// Path patterns of the API's route table (api_routes.cc): "/v1/db/{db}/files/{name+}".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace syncline {

// What a path's placeholders matched, decoded (checked by the caller).
struct PathParams {
  std::string db;          // {db}
  std::string collection;  // {collection}
  std::string rest;        // any other placeholder: {op} one segment, {name+} the rest joined by '/'
};

// A path pattern, split once: literal segments match themselves, `{x}` one non-empty segment,
// `{x+}` (last only) the segments left, not all empty; `{x*}` (last only) the same, empty too
// ("/studio/{asset*}" matches "/studio/").
class PathPattern {
 public:
  explicit PathPattern(std::string_view pattern);
  // True if `segments` (a decoded path) match; *params gets the placeholders.
  bool Match(const std::vector<std::string>& segments, PathParams* params) const;

 private:
  std::vector<std::string_view> parts_;  // views into the pattern, which must outlive this
};

// PathPattern(pattern).Match(segments, params).
bool MatchPath(std::string_view pattern, const std::vector<std::string>& segments,
               PathParams* params);

}  // namespace syncline
