// HttpClient: a keep-alive HTTP/1.1 client (libcurl) for the CLI, replication and clients.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  const std::string* Header(const std::string& lower_name) const;
};

using HttpHeaders = std::map<std::string, std::string>;
// Called with bytes done and the total (0 when unknown).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// One connection reused across requests. Not thread-safe: one client per thread.
// Every method returns the response for 2xx (and 304); any other status becomes the Status in
// its {"error", "message"} body (status_http.h); a failed connection or a timeout is
// Unavailable; a reply that is not HTTP is ProtocolError.
class HttpClient {
 public:
  // `base_url` like "http://127.0.0.1:8080"; `api_key` sent as a Bearer token if not empty.
  HttpClient(std::string base_url, std::string api_key);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // `path` is the encoded path and query, e.g. "/v1/db/photos".
  Result<HttpResponse> Send(const std::string& method, const std::string& path,
                            std::string_view body = {}, const HttpHeaders& headers = {});

  // PUT with a body read from `read` (fills the buffer, returns bytes, 0 at the end).
  // `size` is the body length, or -1 to send it chunked.
  using ReadFn = std::function<Result<size_t>(char* buf, size_t n)>;
  Result<HttpResponse> Upload(const std::string& path, ReadFn read, int64_t size,
                              const HttpHeaders& headers = {}, ProgressFn progress = nullptr);

  // GET whose body goes to `write` as it arrives (only for a 2xx response).
  using WriteFn = std::function<Status(std::string_view data)>;
  Result<HttpResponse> Download(const std::string& path, WriteFn write,
                                const HttpHeaders& headers = {}, ProgressFn progress = nullptr);

  const std::string& base_url() const { return base_url_; }

  // A PEM bundle of CAs trusted for https instead of the system's: for this client, or for every
  // client made after the call (set once at startup, before other threads make clients).
  void set_ca_file(std::string path);
  static void set_default_ca_file(std::string path);

  // Fails a request that moves no byte for `seconds` (0, the default: never). Replication sets
  // it so a silent peer cannot hang a sync; long-polls must not.
  void set_stall_timeout(int seconds);
  // Fails a request that takes longer than `seconds` in all (0, the default: never).
  void set_timeout(int seconds);
  // Fails a request whose buffered response body grows past `bytes` with ProtocolError
  // (0, the default: no limit). Downloads that stream to a WriteFn are not counted.
  void set_max_response_bytes(size_t bytes);
  // Aborts a request, with Cancelled, soon after `*flag` turns true (null: never). Not owned.
  void set_cancel_flag(const std::atomic<bool>* flag);

 private:
  struct Impl;
  std::string base_url_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline
