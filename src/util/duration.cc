#include "util/duration.h"

#include <charconv>
#include <string>

namespace syncline {

Result<int64_t> ParseDurationSeconds(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration: write a number of seconds, or a number "
                                   "with s, m, h or d (90s, 15m, 12h, 30d)");
  };
  if (text.empty()) return bad();
  int64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'd': unit = 86400; text.remove_suffix(1); break;
    default: break;
  }
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  constexpr int64_t kMax = 10 * 366 * 86400LL;
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || n < 1 ||
      n > kMax / unit) {
    return bad();
  }
  return n * unit;
}

}  // namespace syncline
