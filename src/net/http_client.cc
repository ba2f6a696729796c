// HttpClient over one libcurl easy handle (which keeps the connection alive between requests).
#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "net/status_http.h"

namespace syncline {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string& DefaultCaFile() {
  static std::string path;
  return path;
}

}  // namespace

const std::string* HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

struct HttpClient::Impl {
  CURL* curl = nullptr;
  std::string api_key;
  std::string ca_file = DefaultCaFile();
  long stall_timeout = 0;
  long timeout = 0;
  size_t max_response_bytes = 0;
  const std::atomic<bool>* cancel = nullptr;

  // Per-request state, reached from the C callbacks.
  HttpResponse* response = nullptr;
  ReadFn read;
  WriteFn write;
  ProgressFn progress;
  uint64_t body_bytes_read = 0;  // of an upload: what `read` gave, not the wire's bytes
  // The stall watch: when bytes last moved either way, and the counts then.
  std::chrono::steady_clock::time_point last_moved;
  curl_off_t moved_down = 0, moved_up = 0;
  bool stalled = false;
  Status callback_status;
  char error[CURL_ERROR_SIZE] = {};

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) self->response->headers.clear();  // 100 Continue, then the real one
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      self->response->headers[name] = std::string(value);
    }
    return size * n;
  }

  static size_t OnWrite(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    long code = 0;
    curl_easy_getinfo(self->curl, CURLINFO_RESPONSE_CODE, &code);
    std::string_view chunk(data, size * n);
    if (self->write && code >= 200 && code < 300) {
      self->callback_status = self->write(chunk);
      if (!self->callback_status.ok()) return CURL_WRITEFUNC_ERROR;
    } else {
      size_t max = self->max_response_bytes;
      if (max > 0 && self->response->body.size() + chunk.size() > max) {
        self->callback_status = Status::ProtocolError(
            "the reply is larger than " + std::to_string(max) + " bytes");
        return CURL_WRITEFUNC_ERROR;
      }
      self->response->body.append(chunk);
    }
    return size * n;
  }

  static size_t OnRead(char* buf, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    Result<size_t> r = self->read(buf, size * n);
    if (!r.ok()) {
      self->callback_status = r.status();
      return CURL_READFUNC_ABORT;
    }
    self->body_bytes_read += *r;
    return *r;
  }

  static int OnProgress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                        curl_off_t ulnow) {
    auto* self = static_cast<Impl*>(user);
    if (self->cancel && self->cancel->load()) return 1;  // curl aborts the transfer
    if (self->Stalled(dlnow, ulnow)) return 1;
    if (!self->progress) return 0;
    if (self->read) {
      // curl counts a chunked body's framing too ("0\r\n\r\n" for an empty one), and reads
      // ahead of what it sent: the lesser is content that really left.
      uint64_t sent = std::min(self->body_bytes_read, static_cast<uint64_t>(ulnow));
      self->progress(sent, static_cast<uint64_t>(ultotal));
    } else {
      self->progress(static_cast<uint64_t>(dlnow), static_cast<uint64_t>(dltotal));
    }
    return 0;
  }

  // Whether no byte moved for stall_timeout seconds. curl calls the progress function at least
  // once a second while it waits. Its own low-speed check averages over a window that still
  // holds the request's bytes, so a silent peer was only noticed several seconds late.
  bool Stalled(curl_off_t down, curl_off_t up) {
    auto now = std::chrono::steady_clock::now();
    if (down != moved_down || up != moved_up) {
      moved_down = down;
      moved_up = up;
      last_moved = now;
      return false;
    }
    if (stall_timeout <= 0 || now - last_moved < std::chrono::seconds(stall_timeout)) return false;
    stalled = true;
    return true;
  }

  Result<HttpResponse> Perform(const std::string& method, const std::string& url,
                               const HttpHeaders& headers) {
    HttpResponse response;
    this->response = &response;
    callback_status = Status::OK();
    error[0] = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::OnWrite);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    // Send "a/../b" as it is: the server must see (and refuse) what the caller asked for.
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    last_moved = std::chrono::steady_clock::now();
    moved_down = moved_up = 0;
    stalled = false;
    if (timeout > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    if (method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    if (progress || cancel || stall_timeout > 0) {
      curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
      curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
      curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
    curl_slist* list = nullptr;
    if (!api_key.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + api_key).c_str());
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(list);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_reset(curl);  // keeps the connection cache, drops per-request options
    this->response = nullptr;
    read = nullptr;
    write = nullptr;
    progress = nullptr;
    if (!callback_status.ok()) return callback_status;
    if (rc == CURLE_ABORTED_BY_CALLBACK && cancel && cancel->load()) {
      return Status::Cancelled("request to " + url + " cancelled");
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK && stalled) {
      return Status::Unavailable("request to " + url + " failed: no answer for " +
                                 std::to_string(stall_timeout) + " s");
    }
    if (rc != CURLE_OK) {
      std::string why = error[0] ? error : curl_easy_strerror(rc);
      std::string message = "request to " + url + " failed: " + why;
      // Garbage where an HTTP reply belongs is the peer's fault; everything else (refused,
      // cut, timed out, truncated) may pass.
      // An untrusted certificate stays untrusted until someone changes the configuration.
      if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
        return Status::InvalidArgument(message + " (give the CA that signed the server's "
                                                 "certificate with --ca-file or SYNCLINE_CA_FILE)");
      }
      if (rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_BAD_CONTENT_ENCODING ||
          rc == CURLE_UNSUPPORTED_PROTOCOL) {
        return Status::ProtocolError(message);
      }
      return Status::Unavailable(message);
    }
    response.status = static_cast<int>(code);
    if (code < 200 || code >= 300) return StatusFromHttp(response.status, response.body);
    return response;
  }
};

HttpClient::HttpClient(std::string base_url, std::string api_key)
    : base_url_(std::move(base_url)), impl_(std::make_unique<Impl>()) {
  GlobalInit();
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  impl_->curl = curl_easy_init();
  impl_->api_key = std::move(api_key);
}

void HttpClient::set_default_ca_file(std::string path) { DefaultCaFile() = std::move(path); }
void HttpClient::set_ca_file(std::string path) { impl_->ca_file = std::move(path); }
void HttpClient::set_stall_timeout(int seconds) { impl_->stall_timeout = seconds; }
void HttpClient::set_cancel_flag(const std::atomic<bool>* flag) { impl_->cancel = flag; }
void HttpClient::set_timeout(int seconds) { impl_->timeout = seconds; }
void HttpClient::set_max_response_bytes(size_t bytes) { impl_->max_response_bytes = bytes; }

HttpClient::~HttpClient() {
  if (impl_) curl_easy_cleanup(impl_->curl);
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

Result<HttpResponse> HttpClient::Send(const std::string& method, const std::string& path,
                                      std::string_view body, const HttpHeaders& headers) {
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(impl_->curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(impl_->curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  HttpHeaders h = headers;
  if (!body.empty() && !h.count("Content-Type")) h["Content-Type"] = "application/json";
  return impl_->Perform(method, base_url_ + path, h);
}

Result<HttpResponse> HttpClient::Upload(const std::string& path, ReadFn read, int64_t size,
                                        const HttpHeaders& headers, ProgressFn progress) {
  impl_->read = std::move(read);
  impl_->progress = std::move(progress);
  impl_->body_bytes_read = 0;
  curl_easy_setopt(impl_->curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(impl_->curl, CURLOPT_READFUNCTION, &Impl::OnRead);
  curl_easy_setopt(impl_->curl, CURLOPT_READDATA, impl_.get());
  curl_easy_setopt(impl_->curl, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  if (size >= 0) curl_easy_setopt(impl_->curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  HttpHeaders h = headers;
  h["Content-Type"] = "application/octet-stream";
  return impl_->Perform("PUT", base_url_ + path, h);
}

Result<HttpResponse> HttpClient::Download(const std::string& path, WriteFn write,
                                          const HttpHeaders& headers, ProgressFn progress) {
  impl_->write = std::move(write);
  impl_->progress = std::move(progress);
  curl_easy_setopt(impl_->curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  return impl_->Perform("GET", base_url_ + path, headers);
}

}  // namespace syncline
