// Percent-encoding and request-target parsing for the API's paths and queries.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline {

// Decodes %XX escapes (and '+' as-is); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s);
// Encodes everything but unreserved characters; '/' too unless keep_slash.
std::string PercentEncode(std::string_view s, bool keep_slash = false);

// A request target split into decoded path segments and query parameters.
struct Target {
  std::vector<std::string> segments;  // "/v1/db/x" -> {"v1", "db", "x"}
  std::map<std::string, std::string> query;
  // The decoded segments from `from` on, joined with '/'.
  std::string Rest(size_t from) const;
};

// nullopt on a malformed escape.
std::optional<Target> ParseTarget(std::string_view target);

}  // namespace syncline
