// Exit codes and typo suggestions.
#include "cli/usage.h"

#include <algorithm>

namespace syncline {

int ExitCodeFor(const Status& s) {
  return s.code() == Status::Code::kUnavailable ? kExitUnavailable : kExitFailed;
}

namespace {

// Edit distance counting a swap of neighbours as one edit (optimal string alignment), the
// measure that fits typing slips.
size_t TypoDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string NearestWord(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = TypoDistance(word, c);
    // A prefix ("conf" for "conflicts") is as good as one slip.
    if (word.size() >= 2 && c.compare(0, word.size(), word) == 0) d = std::min<size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Two slips at most, and fewer than half the word: "xyz" suggests nothing.
  size_t allowed = std::min<size_t>(2, std::max<size_t>(1, word.size() / 2));
  return best_distance <= allowed ? best : "";
}

}  // namespace syncline
