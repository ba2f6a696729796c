// HttpRemote over one keep-alive HttpClient.
#include "net/http_remote.h"

#include <algorithm>

#include "net/http_client.h"
#include "net/url.h"
#include "util/json_reader.h"
#include "util/zstd.h"

namespace syncline {

namespace {

constexpr int kStallSeconds = 30;  // a silent destination fails the request after this long
// A reply is a few MiB at most (a need list with its basis signature): more is a broken peer.
constexpr size_t kMaxReplyBytes = 64u << 20;
// JSON bodies past this size travel zstd-compressed (Content-Encoding: zstd) both ways: they
// carry base64 manifests and signatures, and document batches.
constexpr size_t kCompressAbove = 4096;

class HttpRemote : public Remote {
 public:
  HttpRemote(const Destination& d, int timeout_seconds)
      : client_(d.url, d.remote_key), prefix_("/v1/db/" + PercentEncode(d.remote_db) + "/sync/proto/") {
    client_.set_stall_timeout(std::min(kStallSeconds, timeout_seconds));
    client_.set_timeout(timeout_seconds);
    client_.set_max_response_bytes(kMaxReplyBytes);
  }

  Result<Json> Call(ProtoOp op, const Json& request) override {
    std::string body = DumpJson(request);
    HttpHeaders headers = {{"Accept-Encoding", "zstd"}};
    if (body.size() > kCompressAbove) {
      body = ZstdCompress(body);
      headers["Content-Encoding"] = "zstd";
      headers["Content-Type"] = "application/json";
    }
    Result<HttpResponse> r = client_.Send("POST", prefix_ + std::string(ProtoOpName(op)), body, headers);
    if (!r.ok()) return r.status().WithContext("destination " + client_.base_url());
    return Parse(*r);
  }

  Result<Json> SendBinary(ProtoOp op, std::string_view body) override {
    Result<HttpResponse> r = client_.Send("POST", prefix_ + std::string(ProtoOpName(op)), body,
                                          {{"Content-Type", "application/octet-stream"}});
    if (!r.ok()) return r.status().WithContext("destination " + client_.base_url());
    return Parse(*r);
  }

 private:
  Result<Json> Parse(const HttpResponse& r) {
    std::string plain;
    std::string_view text = r.body;
    if (const std::string* enc = r.Header("content-encoding"); enc && *enc == "zstd") {
      Result<std::string> d = ZstdDecompress(r.body, kMaxReplyBytes);
      if (!d.ok()) {
        return Status::ProtocolError("destination " + client_.base_url() +
                                     " sent a malformed zstd reply: " + d.status().message());
      }
      plain = std::move(*d);
      text = plain;
    }
    Result<Json> j = ParseJsonObject(text);
    if (!j.ok()) {
      return Status::ProtocolError("destination " + client_.base_url() +
                                   " sent a reply that is no JSON object: " + j.status().message());
    }
    return j;
  }

  HttpClient client_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<Remote> NewHttpRemote(const Destination& dest, int timeout_seconds) {
  return std::make_unique<HttpRemote>(dest, timeout_seconds);
}

}  // namespace syncline
