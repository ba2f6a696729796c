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

// True if `segments` (a decoded path) match `pattern`: literal segments match themselves,
// `{x}` one non-empty segment, `{x+}` (last only) the segments left, not all empty.
bool MatchPath(std::string_view pattern, const std::vector<std::string>& segments,
               PathParams* params);

}  // namespace syncline
