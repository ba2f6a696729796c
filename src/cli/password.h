// Reading a password for the CLI: from stdin with --password-stdin (scripts), or typed at the
// terminal without echo (people). Never from the command line, where `ps` would show it.
#pragma once

#include <string>

#include "syncline/result.h"

namespace syncline {

// With `from_stdin`, the first line of stdin (its line break removed). Otherwise, when stdin
// is a terminal, asks for it without echo (twice when `confirm`, which must match); when it is
// not, InvalidArgument naming --password-stdin.
Result<std::string> ReadPassword(bool from_stdin, bool confirm);

}  // namespace syncline
