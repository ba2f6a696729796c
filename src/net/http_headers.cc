// Parsers of entity-tag lists and byte ranges.
#include "net/http_headers.h"

#include <charconv>
#include <string_view>
#include <vector>

namespace syncline {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> Number(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || s.empty()) return std::nullopt;
  return v;
}

// One entity tag: W/"x", "x" or (legacy) a bare number. False if malformed.
bool ParseTag(std::string_view tag, bool* weak, std::optional<int64_t>* etag) {
  *weak = tag.size() >= 2 && tag.substr(0, 2) == "W/";
  if (*weak) tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
    std::string_view opaque = tag.substr(1, tag.size() - 2);
    if (opaque.find('"') != std::string_view::npos) return false;
    *etag = Number(opaque);  // a tag that is not ours matches nothing
    return true;
  }
  if (*weak) return false;
  *etag = Number(tag);
  return etag->has_value();
}

Result<EtagCondition> ParseCondition(const std::string& header, const char* name, bool strong) {
  std::string_view v = Trim(header);
  if (v == "*") return EtagCondition{true, {}};
  EtagCondition c;
  bool any_tag = false;
  while (true) {
    size_t comma = v.find(',');
    std::string_view tag = Trim(v.substr(0, comma));
    if (!tag.empty()) {
      bool weak = false;
      std::optional<int64_t> etag;
      if (!ParseTag(tag, &weak, &etag)) {
        return Status::InvalidArgument(std::string(name) + " must be * or entity tags such as \"3\"");
      }
      any_tag = true;
      if (etag && !(strong && weak)) c.etags.push_back(*etag);
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  if (!any_tag) return Status::InvalidArgument(std::string(name) + " is empty");
  return c;
}

}  // namespace

Result<Precondition> ParsePreconditions(const std::string* if_match,
                                        const std::string* if_none_match) {
  Precondition p;
  if (if_match) {
    SYNCLINE_ASSIGN_OR_RETURN(EtagCondition c, ParseCondition(*if_match, "If-Match", true));
    p.if_match = std::move(c);
  }
  if (if_none_match) {
    SYNCLINE_ASSIGN_OR_RETURN(EtagCondition c,
                              ParseCondition(*if_none_match, "If-None-Match", false));
    p.if_none_match = std::move(c);
  }
  return p;
}

ByteRange ParseByteRange(const std::string* range, uint64_t size) {
  ByteRange whole;
  constexpr std::string_view kPrefix = "bytes=";
  if (!range || range->compare(0, kPrefix.size(), kPrefix) != 0) return whole;
  std::string_view spec = Trim(std::string_view(*range).substr(kPrefix.size()));
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return whole;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  auto number = [](std::string_view s) -> std::optional<uint64_t> {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  };
  ByteRange r;
  if (a.empty()) {  // a suffix: the last N bytes
    std::optional<uint64_t> n = number(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
    uint64_t take = std::min(*n, size);
    return {ByteRange::Kind::kPart, size - take, take};
  }
  std::optional<uint64_t> first = number(a), last = b.empty() ? std::optional<uint64_t>(UINT64_MAX) : number(b);
  if (!first || !last || *last < *first) return whole;  // invalid: ignored
  if (*first >= size) return {ByteRange::Kind::kUnsatisfiable, 0, 0};
  uint64_t end = std::min(*last, size - 1);
  r.kind = ByteRange::Kind::kPart;
  r.offset = *first;
  r.length = end - *first + 1;
  return r;
}

bool IfRangeHolds(const std::string* if_range, int64_t etag) {
  if (!if_range) return true;
  std::string_view v = Trim(*if_range);
  bool weak = false;
  std::optional<int64_t> tag;
  // A date, a weak tag or another etag: the representation may have changed, send it whole.
  return v.size() >= 2 && v.front() == '"' && ParseTag(v, &weak, &tag) && !weak && tag == etag;
}

}  // namespace syncline
