// How the CLI ends: its documented exit codes, and the nearest verb to a mistyped one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "syncline/status.h"

namespace syncline {

// README, "Exit codes". Scripts branch on these; the JSON error's code says more.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // the server refused the request, or an item of it failed
  kExitUsage = 2,        // the command line is wrong: nothing was sent
  kExitUnavailable = 3,  // the server could not be reached or is busy: try again later
};

// kExitUnavailable for `unavailable`, else kExitFailed (never kExitOk: `s` is a failure).
int ExitCodeFor(const Status& s);

// The candidate `word` is most likely a typo of ("fiel" -> "file", "lss" -> "ls"), or "" if
// none is near enough to suggest.
std::string NearestWord(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace syncline
