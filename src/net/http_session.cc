// HTTP session: reads a request header, streams or buffers the body, calls the Api, writes the
// response (streamed for file downloads), and repeats while the connection is kept alive.
#include "net/http_session.h"


#include <chrono>
#include <limits>

#include "net/status_http.h"
#include "util/log.h"

namespace syncline {

namespace {

using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

constexpr size_t kUploadBufferBytes = 1u << 20;
// What one streamed upload holds: its read buffer, plus the chunker's window and the chunk
// being written (up to 256 KiB each), rounded up.
constexpr size_t kUploadMemoryBytes = 2u << 20;

// The target without its query: what a log line names.
std::string_view PathOf(const std::string& target) {
  return std::string_view(target).substr(0, target.find('?'));
}

void Fail(beast::error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == beast::error::timeout ||
      ec == asio::error::eof || ec == http::error::end_of_stream ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return;  // the peer went away or idled out: ordinary
  }
  Log(LogLevel::kWarn, "http.io", {{"step", what}}, ec.message());
}

// Last resort around each call into the Api and its uploads: an exception there is a bug, and
// it must cost this request a 500 answer and a log line, never the connection or the process.
template <typename Fn>
auto Guarded(const ApiRequest& req, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "http.request",
        {{"method", req.method}, {"path", PathOf(req.target)}, {"error_code", "internal"}}, e.what());
    Status st = Status::Internal(std::string("unexpected error: ") + e.what());
    if constexpr (std::is_same_v<decltype(fn()), ApiResponse>) {
      return ApiResponse::Error(st);
    } else {
      return st;
    }
  }
}

ApiRequest ToApiRequest(const http::request_header<>& h) {
  ApiRequest req;
  req.method = std::string(h.method_string());
  req.target = std::string(h.target());
  for (const auto& field : h) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(field.value());
  }
  return req;
}

template <class Body>
void SetHeaders(http::response<Body>& res, const ApiResponse& r, bool keep_alive) {
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.set(http::field::server, "syncline");
  res.keep_alive(keep_alive);
}

// The TCP layer under a plain or TLS stream: timeouts and the socket live there.
template <class Stream>
beast::tcp_stream& Tcp(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

// Writes `r`; false if the connection can no longer be used.
template <class Stream>
awaitable<bool> WriteResponse(Stream& stream, ApiResponse& r, bool keep_alive,
                              bool head_only) {
  beast::error_code ec;
  auto status = static_cast<http::status>(r.status);
  if (!r.stream || head_only) {
    http::response<http::string_body> res{status, 11};
    SetHeaders(res, r, keep_alive);
    if (r.status == 204 || r.status == 304) {
      // No content, and no Content-Length either (RFC 9110 sections 8.6, 15.3.5, 15.4.5).
    } else if (head_only) {
      res.content_length(r.stream ? r.stream_length : r.body.size());
    } else {
      res.body() = std::move(r.body);
      res.prepare_payload();
    }
    co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
    if (ec) Fail(ec, "write");
    co_return !ec;
  }
  http::response<http::buffer_body> res{status, 11};
  SetHeaders(res, r, keep_alive);
  res.content_length(r.stream_length);
  res.body().data = nullptr;
  res.body().more = true;
  http::response_serializer<http::buffer_body> sr{res};
  co_await http::async_write_header(stream, sr, redirect_error(use_awaitable, ec));
  if (ec) {
    Fail(ec, "write header");
    co_return false;
  }
  while (true) {
    Result<std::string_view> piece = r.stream->Next();
    if (!piece.ok()) {
      // The status line is gone already: cutting the connection is the only honest signal.
      LogStatus(LogLevel::kError, "http.stream", {}, piece.status());
      co_return false;
    }
    res.body().data = piece->empty() ? nullptr : const_cast<char*>(piece->data());
    res.body().size = piece->size();
    res.body().more = !piece->empty();
    co_await http::async_write(stream, sr, redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      Fail(ec, "write body");
      co_return false;
    }
    if (piece->empty()) co_return true;
  }
}

// Feeds the request body to `upload` as it arrives. Returns the response, or nullopt when the
// connection failed half-way (nothing is committed then).
template <class Stream>
awaitable<std::optional<ApiResponse>> ReceiveUpload(Stream& stream,
                                                    beast::flat_buffer& buffer,
                                                    http::request_parser<http::empty_body>& header,
                                                    const ApiRequest& req, Upload& upload,
                                                    std::chrono::seconds idle,
                                                    uint64_t* received) {
  auto write = [&](std::string_view data) {
    *received += data.size();
    return Guarded(req, [&] { return upload.Write(data); });
  };
  auto finish = [&] { return Guarded(req, [&] { return upload.Finish(); }); };
  beast::error_code ec;
  if (beast::iequals(header.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> cont{http::status::continue_, 11};
    co_await http::async_write(stream, cont, redirect_error(use_awaitable, ec));
    if (ec) co_return std::nullopt;
  }
  std::vector<char> chunk(kUploadBufferBytes);
  if (auto length = header.content_length()) {
    // A plain Content-Length body: read it straight from the socket in large pieces, without
    // the parser's small intermediate reads and copies.
    uint64_t remaining = *length;
    size_t buffered = std::min<uint64_t>(buffer.size(), remaining);
    if (buffered > 0) {
      auto data = static_cast<const char*>(buffer.data().data());
      if (Status s = write(std::string_view(data, buffered)); !s.ok()) {
        co_return ApiResponse::Error(s);
      }
      buffer.consume(buffered);
      remaining -= buffered;
    }
    while (remaining > 0) {
      Tcp(stream).expires_after(idle);
      size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), remaining));
      size_t n = co_await stream.async_read_some(asio::buffer(chunk.data(), want),
                                                 redirect_error(use_awaitable, ec));
      if (ec) {
        Fail(ec, "read upload");
        co_return std::nullopt;
      }
      if (Status s = write(std::string_view(chunk.data(), n)); !s.ok()) {
        co_return ApiResponse::Error(s);
      }
      remaining -= n;
    }
    co_return finish();
  }
  // Chunked transfer encoding: let the parser decode it.
  http::request_parser<http::buffer_body> parser{std::move(header)};
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    Tcp(stream).expires_after(idle);
    co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      Fail(ec, "read upload");
      co_return std::nullopt;
    }
    size_t n = chunk.size() - parser.get().body().size;
    if (Status s = write(std::string_view(chunk.data(), n)); !s.ok()) {
      co_return ApiResponse::Error(s);
    }
  }
  co_return finish();
}

// After refusing a request whose body was not read: stop sending, then read and drop what the
// client is still sending for a moment, so it gets to read the error instead of a reset
// (a "lingering close", as web servers do).
// Under TLS the bytes drained are the raw ones: nothing needs decrypting to be dropped.
awaitable<void> LingeringClose(beast::tcp_stream& tcp) {
  beast::error_code ec;
  tcp.socket().shutdown(asio::socket_base::shutdown_send, ec);
  std::vector<char> sink(64 * 1024);
  tcp.expires_after(std::chrono::seconds(2));
  for (size_t drained = 0; !ec && drained < (64u << 20);) {
    drained += co_await tcp.async_read_some(asio::buffer(sink), redirect_error(use_awaitable, ec));
  }
}

// Waits until the long-poll's database passes its etag or its time runs out.
awaitable<void> WaitForChange(ChangeWaiters& waiters, const ApiResponse::LongPoll& poll) {
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  timer->expires_after(std::chrono::milliseconds(static_cast<int64_t>(poll.wait_seconds * 1000)));
  uint64_t id = waiters.Subscribe(poll.db, poll.since, [timer] {
    // Posted to the session's strand, so it runs only once the wait below has begun.
    asio::post(timer->get_executor(), [timer] { timer->cancel(); });
  });
  beast::error_code ec;
  co_await timer->async_wait(redirect_error(use_awaitable, ec));
  waiters.Unsubscribe(id);
}

// Counts an answered request and logs it (at debug; a 5xx at warn).
void RecordRequest(const SessionContext& ctx, const ApiRequest& req, int status,
                   std::chrono::steady_clock::time_point started, uint64_t bytes_in,
                   uint64_t bytes_out) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string_view route = ctx.api->RouteLabel(req);
  // Labels come from a fixed set, whatever a client sends: a made-up method is "other".
  static constexpr std::string_view kMethods[] = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"};
  std::string_view method = "other";
  for (std::string_view m : kMethods) {
    if (req.method == m) method = m;
  }
  if (ctx.metrics) ctx.metrics->RecordRequest(route, method, status, seconds, bytes_in, bytes_out);
  Log(status >= 500 ? LogLevel::kWarn : LogLevel::kDebug, "http.request",
      {{"method", req.method},
       {"path", PathOf(req.target)},
       {"status", status},
       {"ms", static_cast<int64_t>(seconds * 1000)},
       {"bytes_in", bytes_in},
       {"bytes_out", bytes_out}});
}

// True for bytes that are not HTTP as it should be (a bad request line, bad chunking...), as
// opposed to a connection that ended or a limit that was hit.
bool IsParseError(beast::error_code ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::body_limit && ec != http::error::header_limit;
}

// A request's header, or why there is none.
enum class HeaderRead { kOk, kClosed, kRefused };

// Waits (up to the idle timeout) for a request to begin, then reads its header (up to the
// header timeout: a client sending a byte a second cannot hold the connection). On kRefused,
// `*refusal` is the answer to send before closing.
template <class Stream>
awaitable<HeaderRead> ReadHeader(Stream& stream, beast::flat_buffer& buffer,
                                 http::request_parser<http::empty_body>& header,
                                 const HttpLimits& limits, ApiResponse* refusal) {
  beast::error_code ec;
  if (buffer.size() == 0) {
    Tcp(stream).expires_after(std::chrono::seconds(limits.idle_timeout_seconds));
    size_t n = co_await stream.async_read_some(buffer.prepare(16 * 1024),
                                               redirect_error(use_awaitable, ec));
    if (ec) {
      Fail(ec, "read");
      co_return HeaderRead::kClosed;
    }
    buffer.commit(n);
  }
  header.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
  // Limits on the body are set per request type later; the header parser must not refuse a
  // large Content-Length before we know it is a file upload.
  header.body_limit(std::numeric_limits<std::uint64_t>::max());
  Tcp(stream).expires_after(std::chrono::seconds(limits.header_timeout_seconds));
  co_await http::async_read_header(stream, buffer, header, redirect_error(use_awaitable, ec));
  if (ec == http::error::header_limit) {
    *refusal = ApiResponse::Error(Status::TooLarge(
        "the request header is larger than " + std::to_string(limits.max_header_bytes) + " bytes"));
    refusal->status = 431;
    co_return HeaderRead::kRefused;
  }
  if (IsParseError(ec)) {
    *refusal = ApiResponse::Error(Status::InvalidArgument("malformed HTTP request: " + ec.message()));
    co_return HeaderRead::kRefused;
  }
  if (ec) {
    Fail(ec, "read header");
    co_return HeaderRead::kClosed;
  }
  int fields = 0;
  for (auto it = header.get().begin(); it != header.get().end(); ++it) ++fields;
  if (fields > limits.max_header_count) {
    *refusal = ApiResponse::Error(Status::TooLarge(
        "the request has more than " + std::to_string(limits.max_header_count) + " header fields"));
    refusal->status = 431;
    co_return HeaderRead::kRefused;
  }
  co_return HeaderRead::kOk;
}

// Reads a body that is kept whole, closing on `idle` seconds without a byte. An error code on
// failure: body_limit, a parse error, or the connection's.
template <class Stream>
awaitable<beast::error_code> ReadBody(Stream& stream, beast::flat_buffer& buffer,
                                      http::request_parser<http::string_body>& parser,
                                      std::chrono::seconds idle) {
  beast::error_code ec;
  while (!parser.is_done()) {
    Tcp(stream).expires_after(idle);
    co_await http::async_read_some(stream, buffer, parser, redirect_error(use_awaitable, ec));
    if (ec) co_return ec;
  }
  co_return ec;
}

// Serves requests on `stream` (plain or TLS) until the peer closes, an error, or a response
// that ends the connection.
template <class Stream>
awaitable<void> ServeRequests(Stream& stream, const std::string& peer, const SessionContext& ctx) {
  const HttpLimits& limits = *ctx.limits;
  const auto idle = std::chrono::seconds(limits.idle_timeout_seconds);
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (true) {
    http::request_parser<http::empty_body> header;
    ApiResponse refusal;
    HeaderRead got = co_await ReadHeader(stream, buffer, header, limits, &refusal);
    if (got == HeaderRead::kClosed) break;
    if (got == HeaderRead::kRefused) {
      // Answer, then close: what follows on this connection cannot be trusted to parse.
      Tcp(stream).expires_after(idle);
      if (co_await WriteResponse(stream, refusal, false, false)) co_await LingeringClose(Tcp(stream));
      co_return;
    }
    const auto started = std::chrono::steady_clock::now();
    uint64_t bytes_in = 0;
    ApiRequest req = ToApiRequest(header.get());
    req.peer = peer;
    bool keep_alive = header.get().keep_alive();
    bool head_only = req.method == "HEAD";
    ApiResponse res;
    bool body_unread = false;
    std::optional<ChangeWaiters::Answering> answering;  // held by a long-poll until answered

    if (ctx.api->IsUpload(req)) {
      // A streamed upload holds its read buffer and the file writer's chunk buffers: it takes
      // them from the shared budget too, so uploads at once cannot grow memory without bound.
      BudgetReservation reservation;
      Result<std::unique_ptr<Upload>> upload = Status::Unavailable(
          "the server is busy with other uploads: retry shortly");
      if (ctx.body_budget->TryReserve(kUploadMemoryBytes)) {
        reservation = BudgetReservation(ctx.body_budget, kUploadMemoryBytes);
        upload = Guarded(req, [&] { return ctx.api->BeginUpload(req); });
      }
      if (!upload.ok()) {
        res = ApiResponse::Error(upload.status());
        body_unread = true;
      } else {
        std::optional<ApiResponse> r =
            co_await ReceiveUpload(stream, buffer, header, req, **upload, idle, &bytes_in);
        if (!r) break;
        res = std::move(*r);
        body_unread = res.status >= 400;  // a failed Write stops reading the body
      }
    } else {
      // Beast checks a body limit against Content-Length only while parsing the header, and
      // this header was parsed without one: check the declared length here. A body kept whole
      // takes its declared size (or the limit, if chunked) from the server's shared budget.
      auto declared = header.content_length();
      size_t need = declared ? static_cast<size_t>(std::min<uint64_t>(*declared, limits.max_body_bytes))
                             : (header.chunked() ? limits.max_body_bytes : 0);
      http::request_parser<http::string_body> parser{std::move(header)};
      parser.body_limit(limits.max_body_bytes);
      BudgetReservation reservation;
      if (declared && *declared > limits.max_body_bytes) {
        ec = http::error::body_limit;
      } else if (need > 0 && !ctx.body_budget->TryReserve(need)) {
        res = ApiResponse::Error(Status::Unavailable("the server is busy with other requests' "
                                                     "bodies: retry shortly"));
        res.headers.emplace_back("Retry-After", "1");
        body_unread = true;
      } else {
        reservation = BudgetReservation(ctx.body_budget, need);
        ec = co_await ReadBody(stream, buffer, parser, idle);
      }
      if (body_unread) {
        // refused above
      } else if (ec == http::error::body_limit) {
        res = ApiResponse::Error(Status::TooLarge(
            "request body is larger than " + std::to_string(limits.max_body_bytes >> 20) + " MiB"));
        body_unread = true;
      } else if (IsParseError(ec)) {
        res = ApiResponse::Error(Status::InvalidArgument("malformed HTTP body: " + ec.message()));
        body_unread = true;
      } else if (ec) {
        Fail(ec, "read body");
        break;
      } else {
        req.body = std::move(parser.get().body());
        bytes_in = req.body.size();
        if (ctx.api->IsSlow(req)) {
          // Off to the pool; the session resumes here, on its own thread, with the answer.
          res = co_await asio::co_spawn(
              *ctx.slow_pool,
              [&]() -> asio::awaitable<ApiResponse> {
                co_return Guarded(req, [&] { return ctx.api->Handle(req); });
              },
              use_awaitable);
        } else {
          res = Guarded(req, [&] { return ctx.api->Handle(req); });
        }
        if (res.long_poll) {
          answering.emplace(ctx.waiters);
          Tcp(stream).expires_never();
          co_await WaitForChange(*ctx.waiters, *res.long_poll);
          req.target += req.target.find('?') == std::string::npos ? "?wait=0" : "&wait=0";
          res = Guarded(req, [&] { return ctx.api->Handle(req); });
          // Woken by shutdown: answer (the page is empty, with the last etag), then close.
          if (ctx.waiters->closed()) keep_alive = false;
        }
      }
    }
    if (body_unread) keep_alive = false;
    Tcp(stream).expires_after(idle);
    uint64_t bytes_out = head_only ? 0 : res.stream ? res.stream_length : res.body.size();
    bool written = co_await WriteResponse(stream, res, keep_alive, head_only);
    RecordRequest(ctx, req, res.status, started, bytes_in, written ? bytes_out : 0);
    if (!written) break;
    if (body_unread) {
      co_await LingeringClose(Tcp(stream));
      co_return;
    }
    if (!keep_alive) break;
  }
}

}  // namespace

awaitable<void> RunHttpSession(tcp::socket socket, SessionContext ctx) {
  beast::error_code ec;
  const std::string peer = socket.remote_endpoint(ec).address().to_string();
  if (!ctx.tls) {
    beast::tcp_stream stream(std::move(socket));
    co_await ServeRequests(stream, peer, ctx);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ctx.tls);
  // The handshake gets the header timeout: a client that connects and stalls is dropped.
  Tcp(stream).expires_after(std::chrono::seconds(ctx.limits->header_timeout_seconds));
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  redirect_error(use_awaitable, ec));
  if (ec) {
    Fail(ec, "tls handshake");
    co_return;
  }
  co_await ServeRequests(stream, peer, ctx);
  Tcp(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(redirect_error(use_awaitable, ec));  // close_notify
}

}  // namespace syncline
