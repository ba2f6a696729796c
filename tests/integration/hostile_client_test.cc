// Clients that do not speak HTTP as they should, against a real server (issue 7): each is
// refused or timed out, /v1/health keeps answering throughout, and the server's memory stays
// under a stated bound. Every wait here waits for a signal (an answer, or the server closing
// the connection), never for a fixed time.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fixture.h"
#include "testing/loopback.h"

namespace syncline::testing {
namespace {

// One raw connection: send bytes, read what the server says until it closes.
class Raw {
 public:
  explicit Raw(int port) : fd_(ConnectLoopback(port)) {}
  ~Raw() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until the server closes the connection (or `limit_seconds`, a generous bound that
  // only a hung server reaches); returns what arrived.
  std::string ReadUntilClosed(int limit_seconds = 60) {
    std::string out;
    char buf[65536];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }
  // Waits up to `ms` for the server to say something or close; true if it closed.
  bool WaitClosed(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) closed_ = true;
    return closed_;
  }
  // Waits up to `ms` for bytes from the server (without reading them).
  bool WaitReadable(int ms) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }

 private:
  int fd_;
  bool closed_ = false;
};

std::string StatusLine(const std::string& response) { return response.substr(0, response.find("\r\n")); }

class HostileClientTest : public NodeTest {
 protected:
  void SetUp() override {
    // The test itself holds a thousand sockets.
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &rl);
    node_ = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub("node"));
    node_->set_extra_args({"--header-timeout", "2", "--idle-timeout", "3"});
    node_->Start();
    HttpClient c = node_->Client();
    ASSERT_TRUE(c.Send("PUT", "/v1/db/d").ok());
  }

  std::string Request(const std::string& method, const std::string& target,
                      const std::string& extra_headers = "") {
    return method + " " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           node_->api_key() + "\r\n" + extra_headers;
  }

  bool Healthy() {
    HttpClient c(node_->url(), "");
    return c.Send("GET", "/v1/health").ok();
  }
};

TEST_F(HostileClientTest, OversizedAndMalformedRequestsAreAnsweredAndClosed) {
  struct Case {
    const char* name;
    std::string bytes;
    std::vector<std::string> statuses;  // the answers, in order, before the server closes
  } cases[] = {
      {"a 1 MiB header line", "GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
       {"HTTP/1.1 431"}},
      {"10,000 headers", [] {
         std::string r = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
         for (int i = 0; i < 10000; ++i) r += "a:b\r\n";
         return r + "\r\n";
       }(), {"HTTP/1.1 431"}},
      {"a body longer than its Content-Length",
       Request("PUT", "/v1/db/d/docs/c/long", "Content-Length: 2\r\n\r\n") + "{}GARBAGE\r\n\r\n",
       {"HTTP/1.1 200", "HTTP/1.1 400"}},
      {"bad chunked encoding",
       Request("PUT", "/v1/db/d/docs/c/chunked", "Transfer-Encoding: chunked\r\n\r\n") + "zz\r\n{}\r\n0\r\n\r\n",
       {"HTTP/1.1 400"}},
      {"pipelined garbage",
       "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n" + std::string("\x01\x02\xff garbage\r\n\r\n"),
       {"HTTP/1.1 200", "HTTP/1.1 400"}},
      {"not HTTP at all", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",
       {"HTTP/1.1 400"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Raw conn(node_->port());
    ASSERT_TRUE(conn.ok());
    conn.Send(c.bytes);  // the server may stop reading early: a failed send is fine
    std::string got = conn.ReadUntilClosed();
    EXPECT_TRUE(conn.closed()) << "the server must close after refusing";
    size_t at = 0;
    for (const std::string& want : c.statuses) {
      size_t found = got.find("HTTP/1.1 ", at);
      ASSERT_NE(found, std::string::npos) << got.substr(0, 300);
      EXPECT_EQ(got.compare(found, want.size(), want), 0) << StatusLine(got.substr(found));
      at = found + 1;
    }
    EXPECT_NE(got.find("\"error\""), std::string::npos) << "a JSON error body";
    ASSERT_TRUE(Healthy());
  }
  // Nothing was written but the one well-formed document.
  HttpClient c = node_->Client();
  EXPECT_TRUE(c.Send("GET", "/v1/db/d/docs/c/long").ok());
  EXPECT_FALSE(c.Send("GET", "/v1/db/d/docs/c/chunked").ok());
}

TEST_F(HostileClientTest, ABodyShorterThanItsLengthTimesOutAndChangesNothing) {
  Raw conn(node_->port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn.Send(Request("PUT", "/v1/db/d/docs/c/short", "Content-Length: 100\r\n\r\n") +
                        "{\"a\":"));
  conn.ReadUntilClosed();
  EXPECT_TRUE(conn.closed()) << "closed after --idle-timeout";
  HttpClient c = node_->Client();
  EXPECT_EQ(c.Send("GET", "/v1/db/d/docs/c/short").status().code(), Status::Code::kNotFound);
}

// 1,000 idle connections and 100 slowloris clients at once: health answers throughout, they
// are all closed by the server's timeouts, and the server's memory stays under the bound.
TEST_F(HostileClientTest, IdleAndSlowClientsAreTimedOutWhileHealthKeepsAnswering) {
  std::atomic<bool> attack_over{false};
  std::atomic<int> health_ok{0}, health_failed{0};
  std::atomic<int64_t> worst_micros{0};
  std::thread prober([&] {
    while (!attack_over) {
      auto t0 = std::chrono::steady_clock::now();
      bool ok = Healthy();
      int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - t0).count();
      (ok ? health_ok : health_failed)++;
      if (us > worst_micros) worst_micros = us;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pacing, not a wait
    }
  });
  std::vector<std::unique_ptr<Raw>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<Raw>(node_->port()));
    ASSERT_TRUE(idle.back()->ok()) << i;
  }
  // Slowloris: a header, one byte a second, that never ends.
  std::vector<std::thread> slow;
  std::atomic<int> slow_closed{0};
  for (int i = 0; i < 100; ++i) {
    slow.emplace_back([&] {
      Raw conn(node_->port());
      std::string header = "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
      for (size_t k = 0; k < 600; ++k) {
        char byte = k < header.size() ? header[k] : 'a';
        if (!conn.Send(std::string_view(&byte, 1))) break;
        // One byte a second; the server closing us is the signal that ends the loop.
        if (conn.WaitClosed(1000)) break;
      }
      if (conn.closed() || conn.WaitClosed(5000)) ++slow_closed;
    });
  }
  for (auto& c : idle) {
    c->ReadUntilClosed();
    EXPECT_TRUE(c->closed()) << "an idle connection outlived --idle-timeout";
  }
  for (auto& t : slow) t.join();
  attack_over = true;
  prober.join();
  EXPECT_EQ(slow_closed.load(), 100) << "slowloris clients outlived --header-timeout";
  EXPECT_GT(health_ok.load(), 10);
  EXPECT_EQ(health_failed.load(), 0);
  // The 100 ms target is not asserted (timings stay out of tests): the worst latency is
  // printed here and recorded in docs/PERFORMANCE.md.
  std::cout << "health: " << health_ok << " answers, worst " << worst_micros / 1000.0
            << " ms; server peak RSS " << (PeakRssBytes(node_->pid()) >> 20) << " MiB\n";
  // The bound (docs/ARCHITECTURE.md): connections x (header limit + buffers) + body budget;
  // here without bodies, 1,100 connections that each sent at most a short header.
  uint64_t peak = PeakRssBytes(node_->pid());
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, 200ull << 20) << "peak RSS " << (peak >> 20) << " MiB";
  EXPECT_TRUE(Healthy());
}

TEST_F(HostileClientTest, ConnectionsOverTheLimitAreAnswered503) {
  ServerProcess small(SYNCLINE_BINARY, dir_.Sub("small"));
  small.set_extra_args({"--max-connections", "10"});
  small.Start();
  std::vector<std::unique_ptr<Raw>> held;
  for (int i = 0; i < 10; ++i) held.push_back(std::make_unique<Raw>(small.port()));
  // Make sure the server has accepted all ten (each answered a request) before the eleventh.
  for (auto& h : held) {
    ASSERT_TRUE(h->Send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(h->WaitReadable(30000));
  }
  Raw extra(small.port());
  ASSERT_TRUE(extra.ok());
  std::string got = extra.ReadUntilClosed();
  EXPECT_EQ(StatusLine(got), "HTTP/1.1 503 Service Unavailable") << got;
  held.clear();
  // Once they are gone, it serves again (the server notices the closes as they arrive).
  HttpClient c(small.url(), "");
  EXPECT_TRUE(WaitUntil([&] { return c.Send("GET", "/v1/health").ok(); }));
}

}  // namespace
}  // namespace syncline::testing
