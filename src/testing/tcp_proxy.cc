// TcpProxy: one thread per connection polling both sockets.
#include "testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "testing/loopback.h"

namespace syncline::testing {


TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ListenOnLoopback(&port_);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  ++generation_;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& t : pumps_) t.join();
}

void TcpProxy::CutAll() { ++generation_; }

void TcpProxy::SetPartitioned(bool partitioned) {
  partitioned_ = partitioned;
  if (partitioned) CutAll();
}

void TcpProxy::CutAfterBytes(uint64_t bytes, bool then_partition) {
  partition_on_cut_ = then_partition;
  cut_at_ = bytes == 0 ? 0 : up_ + bytes;
}

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (stop_) return;
      continue;
    }
    int server = partitioned_ ? -1 : ConnectLoopback(target_port_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mu_);
    pumps_.emplace_back([this, client, server] { Pump(client, server); });
  }
}

void TcpProxy::Pump(int client, int server) {
  const uint64_t generation = generation_;
  char buf[64 * 1024];
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  auto start = std::chrono::steady_clock::now();
  uint64_t sent_here = 0, received_here = 0;
  while (!stop_ && generation_ == generation) {
    if (::poll(fds, 2, 50) < 0) break;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      size_t want = sizeof buf;
      if ((i == 0 ? throttle_ : throttle_down_) > 0) want = std::min<size_t>(want, 16 * 1024);
      ssize_t n = ::read(fds[i].fd, buf, want);
      if (n <= 0) {
        done = true;
        break;
      }
      if (i == 0) {
        uint64_t cut = cut_at_;
        if (cut != 0 && up_ + static_cast<uint64_t>(n) >= cut) {
          cut_at_ = 0;
          if (partition_on_cut_) partitioned_ = true;
          ++generation_;  // cut everything, this one included, before these bytes pass
          done = true;
          break;
        }
        up_ += static_cast<uint64_t>(n);
        sent_here += static_cast<uint64_t>(n);
        if (uint64_t rate = throttle_; rate > 0) {
          auto due = start + std::chrono::microseconds(sent_here * 1000000 / rate);
          std::this_thread::sleep_until(due);
        }
      } else if (uint64_t rate = throttle_down_; rate > 0) {
        received_here += static_cast<uint64_t>(n);
        auto due = start + std::chrono::microseconds(received_here * 1000000 / rate);
        std::this_thread::sleep_until(due);
      }
      for (ssize_t off = 0; off < n;) {
        // MSG_NOSIGNAL: a peer killed mid-transfer must end this pump, not the test (SIGPIPE).
        ssize_t w = ::send(fds[1 - i].fd, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          done = true;
          break;
        }
        off += w;
      }
    }
    if (done) break;
  }
  // An abortive close (RST), as a cut cable looks to a peer that keeps writing.
  linger lg{1, 0};
  ::setsockopt(client, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::setsockopt(server, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(client);
  ::close(server);
}

}  // namespace syncline::testing
