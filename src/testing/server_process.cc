// ServerProcess and RunProcess: fork/exec with output captured in files.
#include "testing/server_process.h"

#include <pty.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "testing/test_util.h"

namespace syncline::testing {

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& in_path, const std::string& out_path, const std::string& err_path,
            const std::string& cwd = "") {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

ServerProcess::ServerProcess(std::string binary, std::string data_dir)
    : binary_(std::move(binary)), data_dir_(std::move(data_dir)), log_path_(data_dir_ + ".log") {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill9();
}

std::string ServerProcess::log() const { return Slurp(log_path_) + Slurp(log_path_ + ".err"); }

void ServerProcess::Start() {
  ASSERT_LT(pid_, 0) << "already running";
  std::vector<std::string> args = {"serve", "--data", data_dir_, "--listen",
                                   "127.0.0.1:" + std::to_string(port_)};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  // Keep earlier logs: a restarted node's history helps explain a failure.
  if (port_ != 0) std::ofstream(log_path_ + ".prev", std::ios::app) << Slurp(log_path_);
  pid_ = Spawn(binary_, args, "/dev/null", log_path_, log_path_ + ".err");
  ASSERT_GT(pid_, 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = Slurp(log_path_);
    size_t at = out.find("listening on ");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      url_ = out.substr(at + 13, out.find('\n', at) - at - 13);
      port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
      std::ifstream key(data_dir_ + "/admin.key");
      std::getline(key, api_key_);
      HttpClient c(url_, "");
      if (!ca_file_.empty()) c.set_ca_file(ca_file_);
      if (c.Send("GET", "/v1/health").ok()) return;
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL() << "server exited at start: " << out << Slurp(log_path_ + ".err");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL() << "server did not start: " << Slurp(log_path_) << Slurp(log_path_ + ".err");
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void ServerProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

CliResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& input, const std::string& cwd) {
  TempDir dir;
  std::string in = dir.Sub("in"), out = dir.Sub("out"), err = dir.Sub("err");
  std::ofstream(in, std::ios::binary) << input;
  pid_t pid = Spawn(binary, args, in, out, err, cwd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

pid_t StartProcess(const std::string& binary, const std::vector<std::string>& args,
                   const std::string& input_file) {
  return Spawn(binary, args, input_file, "/dev/null", "/dev/null", "");
}

int WaitProcess(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CliResult RunInTerminal(const std::string& binary, const std::vector<std::string>& args,
                        const std::string& input) {
  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  CliResult r;
  if (pid < 0) return r;
  for (size_t off = 0; off < input.size();) {
    ssize_t n = ::write(master, input.data() + off, input.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  char buf[4096];
  while (true) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      r.out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the child closed the terminal's last descriptor
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace syncline::testing
