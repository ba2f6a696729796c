// Path pattern matching for the route table.
#include "net/router.h"

namespace syncline {

namespace {

std::vector<std::string_view> Split(std::string_view pattern) {
  std::vector<std::string_view> out;
  if (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  while (!pattern.empty()) {
    size_t slash = pattern.find('/');
    out.push_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return out;
}

bool IsPlaceholder(std::string_view p) { return p.size() > 2 && p.front() == '{' && p.back() == '}'; }

}  // namespace

PathPattern::PathPattern(std::string_view pattern) : parts_(Split(pattern)) {}

bool MatchPath(std::string_view pattern, const std::vector<std::string>& segments,
               PathParams* params) {
  return PathPattern(pattern).Match(segments, params);
}

bool PathPattern::Match(const std::vector<std::string>& segments, PathParams* params) const {
  const std::vector<std::string_view>& parts = parts_;
  PathParams out;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (!IsPlaceholder(p)) {
      if (i >= segments.size() || segments[i] != p) return false;
      continue;
    }
    std::string_view name = p.substr(1, p.size() - 2);
    bool rest = name.back() == '+' || name.back() == '*';
    if (i >= segments.size()) return false;
    size_t end = rest ? segments.size() : i + 1;
    std::string value;
    for (size_t k = i; k < end; ++k) {
      if (k > i) value.push_back('/');
      value += segments[k];
    }
    // Empty segments inside a name are left to the handler's name check, which says why.
    if (value.empty() && name.back() != '*') return false;
    if (name == "db") {
      out.db = std::move(value);
    } else if (name == "collection") {
      out.collection = std::move(value);
    } else {
      out.rest = std::move(value);
    }
    if (rest) {
      *params = std::move(out);
      return true;
    }
  }
  if (parts.size() != segments.size()) return false;
  *params = std::move(out);
  return true;
}

}  // namespace syncline
