// The HTTP adapter: the protocol codec over net/'s keep-alive HttpClient (libcurl).
#include "syncline/http_adapter.h"

#include "client/protocol_codec.h"
#include "net/http_client.h"
#include "net/url.h"
#include "util/json_reader.h"
#include "util/zstd.h"

namespace syncline {
namespace {

constexpr size_t kCompressAbove = 4096;
constexpr size_t kMaxAnswerBytes = 256u << 20;

}  // namespace

struct HttpAdapter::Impl {
  HttpAdapterOptions options;
  std::unique_ptr<HttpClient> http;
  const std::atomic<bool>* cancel = nullptr;
  std::atomic<bool> online{true};
  std::atomic<int64_t> server_time{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> requests{0};

  void MakeClient() {
    http = std::make_unique<HttpClient>(options.server, options.token);
    if (!options.ca_file.empty()) http->set_ca_file(options.ca_file);
    http->set_timeout(options.timeout_seconds);
    http->set_max_response_bytes(kMaxAnswerBytes);
    http->set_cancel_flag(cancel);
  }

  std::string DbPath(const std::string& rest) const {
    return "/v1/db/" + PercentEncode(options.db) + rest;
  }

  // POSTs `body` as JSON (zstd when large) and returns the answer's JSON object.
  Result<Json> Post(const std::string& path, const Json& body) { return Post(path, DumpJson(body)); }
  // The same with the body's JSON text.
  Result<Json> Post(const std::string& path, std::string text) {
    HttpHeaders headers = {{"Content-Type", "application/json"}, {"Accept-Encoding", "zstd"}};
    if (text.size() > kCompressAbove) {
      text = ZstdCompress(text);
      headers["Content-Encoding"] = "zstd";
    }
    bytes += text.size();
    ++requests;
    Result<HttpResponse> r = http->Send("POST", path, text, headers);
    if (!r.ok()) {
      if (r.status().code() == Status::Code::kUnavailable) online = false;
      return r.status();
    }
    online = true;
    bytes += r->body.size();
    std::string plain;
    std::string_view answer = r->body;
    if (const std::string* enc = r->Header("content-encoding"); enc && *enc == "zstd") {
      Result<std::string> d = ZstdDecompress(r->body, kMaxAnswerBytes);
      if (!d.ok()) return Status::ProtocolError("a zstd answer that does not decompress");
      plain = std::move(*d);
      answer = plain;
    }
    Result<Json> j = ParseJsonObject(answer);
    if (!j.ok()) return Status::ProtocolError("the server's answer is not a JSON object");
    server_time = JsonNumber(*j, "server_time", server_time.load());
    return j;
  }
};

HttpAdapter::HttpAdapter(HttpAdapterOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->MakeClient();
}

HttpAdapter::~HttpAdapter() = default;

Result<Registration> HttpAdapter::Register(const Platform& platform) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, impl_->Post(impl_->DbPath("/clients"),
                                                EncodeRegistration(platform)));
  return DecodeRegistration(j);
}

Result<PullPage> HttpAdapter::FetchChanges(const PullRequest& request) {
  SYNCLINE_ASSIGN_OR_RETURN(
      Json j, impl_->Post(impl_->DbPath("/clients/" + PercentEncode(request.client_id) + "/pull"),
                          EncodePullRequest(request)));
  return DecodePullPage(j);
}

Result<std::vector<PushResult>> HttpAdapter::SendBatch(const std::string& client_id,
                                                       const std::vector<PushOperation>& ops) {
  SYNCLINE_ASSIGN_OR_RETURN(
      Json j, impl_->Post(impl_->DbPath("/clients/" + PercentEncode(client_id) + "/push"),
                          EncodePush(ops)));
  return DecodePushResults(j, ops);
}

bool HttpAdapter::IsOnline() { return impl_->online; }

int64_t HttpAdapter::ServerTime() { return impl_->server_time; }

Status HttpAdapter::Login(const std::string& user, const std::string& password) {
  Json body = {{"username", user}, {"password", password}};
  SYNCLINE_ASSIGN_OR_RETURN(Json j, impl_->Post("/v1/auth/login", body));
  Result<std::string> token = JsonString(j, "token");
  if (!token.ok()) return Status::ProtocolError("a login answer without a token");
  impl_->options.token = *token;
  impl_->MakeClient();
  return Status::OK();
}

void HttpAdapter::SetCancelFlag(const std::atomic<bool>* flag) {
  impl_->cancel = flag;
  impl_->http->set_cancel_flag(flag);
}

uint64_t HttpAdapter::BytesTransferred() const { return impl_->bytes; }

uint64_t HttpAdapter::RequestsSent() const { return impl_->requests; }

const std::string& HttpAdapter::token() const { return impl_->options.token; }

}  // namespace syncline
