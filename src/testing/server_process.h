// ServerProcess: a real `syncline serve` child on a free loopback port, for integration tests.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "net/http_client.h"

namespace syncline::testing {

class ServerProcess {
 public:
  // `binary` is the syncline executable; data lives in `data_dir`.
  ServerProcess(std::string binary, std::string data_dir);
  ~ServerProcess();  // kills the child if still running

  // Starts the server and waits until it answers. The first start takes a free port (port 0);
  // a restart reuses it, so other nodes' destinations still point here.
  void Start();
  // Extra `serve` flags for the next Start, e.g. {"--sync-interval", "3600"}.
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  // The CA this test's clients trust, for a node serving https (testing/tls_cert.h).
  void set_ca_file(std::string path) { ca_file_ = std::move(path); }
  // SIGTERM and wait: a clean shutdown. Returns the exit status.
  int Stop();
  // SIGKILL and wait: a crash.
  void Kill9();

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& api_key() const { return api_key_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string log() const;  // what it printed: stdout, then stderr (the log lines)
  HttpClient Client() const {
    HttpClient c(url_, api_key_);
    if (!ca_file_.empty()) c.set_ca_file(ca_file_);
    return c;
  }

 private:
  std::string binary_, data_dir_, log_path_;
  pid_t pid_ = -1;
  std::string url_, api_key_;
  int port_ = 0;
  std::vector<std::string> extra_args_;
  std::string ca_file_;
};

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `binary args...` with `input` on stdin (in folder `cwd`, if given) and returns what it
// printed.
CliResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& input = "", const std::string& cwd = "");

// Starts `binary args...` with `input` on stdin and its output discarded, and returns at once
// with its pid (to kill -9 it at some point); WaitProcess reaps it and returns its exit code,
// or 128 + the signal that ended it.
pid_t StartProcess(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& input_file = "/dev/null");
int WaitProcess(pid_t pid);

// Runs `binary args...` on a new pseudo-terminal, as a user at a terminal would: stdin,
// stdout and stderr are all the terminal, so prompts, hints and progress bars show. `input`
// is typed (a "\x04" at a line's start is Ctrl-D). Everything printed lands in `out`, with
// the terminal's "\r\n" line ends.
CliResult RunInTerminal(const std::string& binary, const std::vector<std::string>& args,
                        const std::string& input = "");

}  // namespace syncline::testing
