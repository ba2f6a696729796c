// FakePeer: a loopback HTTP "destination" for tests that answers each request with raw bytes a
// test scripts per operation: malformed JSON, truncated or over-long bodies, garbage that is
// not HTTP, silence, or a reply that never ends. It speaks just enough HTTP/1.1 to read a
// request (header, then a Content-Length or chunked body).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace syncline::testing {

class FakePeer {
 public:
  // What to do with one request.
  struct Reply {
    std::string bytes;          // written as they are (status line, headers, body: all raw)
    bool close = true;          // close the connection after writing
    bool trickle = false;       // after `bytes`, send one more byte every 100 ms until cut
    bool silent = false;        // write nothing; wait until the client gives up
  };
  // `op` is the last path segment ("last-etag", "file-begin", ...); `path` the whole target.
  using Script = std::function<Reply(const std::string& op, const std::string& path)>;

  explicit FakePeer(Script script);
  ~FakePeer();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_script(Script script);
  int requests() const { return requests_; }

  // A complete response with this status and body, Content-Length set.
  static Reply Http(int status, const std::string& body, const std::string& content_type =
                                                             "application/json");

 private:
  void AcceptLoop();
  void Serve(int fd);
  Script script() const;

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  Script script_;                    // GUARDED_BY(mu_)
  std::vector<std::thread> conns_;   // GUARDED_BY(mu_)
  std::vector<int> open_fds_;        // GUARDED_BY(mu_)
  std::thread acceptor_;
};

}  // namespace syncline::testing
