// TcpProxy: a loopback TCP forwarder between nodes in tests, which can cut connections, refuse
// new ones (a partition), cut after N bytes, or throttle, and counts what it forwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace syncline::testing {

class TcpProxy {
 public:
  // Forwards 127.0.0.1:<port()> to 127.0.0.1:<target_port>.
  explicit TcpProxy(int target_port);
  ~TcpProxy();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Closes every open connection now.
  void CutAll();
  // Refuses (closes at once) new connections while set; open ones are cut too.
  void SetPartitioned(bool partitioned);
  // Cuts every connection once this many more bytes have gone client -> target (0: never);
  // with `then_partition`, also refuses new ones from then on (so a client's transparent
  // reconnect cannot hide the cut).
  void CutAfterBytes(uint64_t bytes, bool then_partition = false);
  // Caps client -> target at this many bytes per second (0: unlimited).
  void Throttle(uint64_t bytes_per_second) { throttle_ = bytes_per_second; }
  // Caps target -> client at this many bytes per second (0: unlimited).
  void ThrottleDown(uint64_t bytes_per_second) { throttle_down_ = bytes_per_second; }

  uint64_t bytes_up() const { return up_; }  // client -> target, total

 private:
  void AcceptLoop();
  void Pump(int client, int server);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> partitioned_{false};
  std::atomic<uint64_t> up_{0};
  std::atomic<uint64_t> cut_at_{0};  // absolute bytes_up at which to cut; 0 = never
  std::atomic<uint64_t> throttle_{0};
  std::atomic<uint64_t> throttle_down_{0};
  std::atomic<bool> partition_on_cut_{false};
  std::atomic<uint64_t> generation_{0};  // bumped by CutAll: pumps of older generations stop
  std::mutex mu_;
  std::vector<std::thread> pumps_;  // GUARDED_BY(mu_)
  std::thread acceptor_;
};

}  // namespace syncline::testing
