#include "cli/password.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace syncline {

namespace {

// One line typed at the terminal with echo off; the terminal is restored whatever happens.
Result<std::string> AskHidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (restore) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  if (!got) return Status::InvalidArgument("no password given");
  return line;
}

}  // namespace

Result<std::string> ReadPassword(bool from_stdin, bool confirm) {
  if (from_stdin) {
    std::string line;
    if (!std::getline(std::cin, line)) {
      return Status::InvalidArgument("--password-stdin: stdin held no password");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (::isatty(STDIN_FILENO) != 1) {
    return Status::InvalidArgument(
        "stdin is not a terminal: give the password on stdin with --password-stdin");
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::string first, AskHidden("Password: "));
  if (!confirm) return first;
  SYNCLINE_ASSIGN_OR_RETURN(std::string second, AskHidden("Password again: "));
  if (first != second) return Status::InvalidArgument("the two passwords differ");
  return first;
}

}  // namespace syncline
