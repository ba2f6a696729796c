// The command line before CLI11 parses it: `help`, --json, and verbs that do not exist.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace syncline {

struct VerbPath {
  std::string path;     // the verbs found, as typed: "syncline file"
  std::string problem;  // empty, or what is wrong with the verbs, said so a user can fix it
};

// Follows the verbs of `args` (without the program name) down `app`'s subcommands, skipping
// options and their values. A word where a verb belongs that is none is a problem ("unknown
// command 'fiel' for 'syncline'; did you mean 'file'?"), and so is a verb that needs one more.
VerbPath CheckVerbs(const CLI::App& app, const std::vector<std::string>& args);

// `syncline help [VERB...]` as `syncline [VERB...] --help`, as git takes it.
std::vector<std::string> RewriteHelp(std::vector<std::string> args);

// True if the arguments hold `flag` before any "--".
bool HasFlag(const std::vector<std::string>& args, const std::string& flag);

}  // namespace syncline
