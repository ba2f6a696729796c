// FakePeer: one thread per connection, blocking reads with a poll timeout so it can stop.
#include "testing/fake_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "testing/loopback.h"

namespace syncline::testing {

namespace {

// Reads more bytes into `buf`; false on close, error or stop.
bool ReadMore(int fd, std::string* buf, const std::atomic<bool>& stop) {
  char tmp[65536];
  while (!stop) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0) return false;
    if (r == 0) continue;
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf->append(tmp, static_cast<size_t>(n));
    return true;
  }
  return false;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one request from `buf` (reading more as needed); its target, or empty on failure.
std::string ReadRequest(int fd, std::string* buf, const std::atomic<bool>& stop) {
  size_t end;
  while ((end = buf->find("\r\n\r\n")) == std::string::npos) {
    if (!ReadMore(fd, buf, stop)) return "";
  }
  std::string header = buf->substr(0, end + 4);
  buf->erase(0, end + 4);
  size_t sp1 = header.find(' '), sp2 = header.find(' ', sp1 + 1);
  std::string target = header.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string lower = Lower(header);
  if (size_t cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
    size_t length = std::stoull(lower.substr(cl + 17));
    while (buf->size() < length) {
      if (!ReadMore(fd, buf, stop)) return "";
    }
    buf->erase(0, length);
  } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    while (true) {  // skip chunks until the last one
      size_t line;
      while ((line = buf->find("\r\n")) == std::string::npos) {
        if (!ReadMore(fd, buf, stop)) return "";
      }
      size_t size = std::stoull(buf->substr(0, line), nullptr, 16);
      while (buf->size() < line + 2 + size + 2) {
        if (!ReadMore(fd, buf, stop)) return "";
      }
      buf->erase(0, line + 2 + size + 2);
      if (size == 0) break;
    }
  }
  return target;
}

}  // namespace

FakePeer::Reply FakePeer::Http(int status, const std::string& body,
                               const std::string& content_type) {
  Reply r;
  r.bytes = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  r.close = false;
  return r;
}

FakePeer::FakePeer(Script script) : script_(std::move(script)) {
  listen_fd_ = ListenOnLoopback(&port_);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakePeer::~FakePeer() {
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  std::vector<std::thread> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    conns.swap(conns_);
  }
  for (auto& t : conns) t.join();
}

void FakePeer::set_script(Script script) {
  std::lock_guard<std::mutex> lock(mu_);
  script_ = std::move(script);
}

FakePeer::Script FakePeer::script() const {
  std::lock_guard<std::mutex> lock(mu_);
  return script_;
}

void FakePeer::AcceptLoop() {
  while (!stop_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stop_) return;
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(fd);
    conns_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FakePeer::Serve(int fd) {
  std::string buf;
  while (!stop_) {
    std::string target = ReadRequest(fd, &buf, stop_);
    if (target.empty()) break;
    ++requests_;
    std::string path = target.substr(0, target.find('?'));
    std::string op = path.substr(path.rfind('/') + 1);
    Reply r = script()(op, path);
    if (r.silent) {
      std::string ignored;
      while (ReadMore(fd, &ignored, stop_)) {
      }
      break;
    }
    if (!WriteAll(fd, r.bytes)) break;
    if (r.trickle) {
      while (!stop_ && WriteAll(fd, "x")) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
          char c;
          if (::recv(fd, &c, 1, MSG_PEEK) <= 0) break;  // the client gave up
        }
      }
      break;
    }
    if (r.close) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

}  // namespace syncline::testing
