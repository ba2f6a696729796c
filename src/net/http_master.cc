// HttpMasterSource: the collection protocol over one keep-alive HttpClient.
#include "net/http_master.h"

#include "net/http_client.h"
#include "net/url.h"
#include "replicate/collection_protocol.h"
#include "util/json_reader.h"
#include "util/zstd.h"

namespace syncline {

namespace {

// An answer is at most a page of documents or of entries: more is a broken master.
constexpr size_t kMaxAnswerBytes = 256u << 20;
constexpr size_t kCompressAbove = 4096;

// The client, the bytes it moved, and how it sends one JSON request.
struct MasterLink {
  HttpClient client;
  std::string prefix;  // "/v1/db/<db>/snapshots"
  std::atomic<int64_t>* bytes;

  MasterLink(const CollectionSyncRequest& r, std::atomic<int64_t>* b)
      : client(r.master_url, r.master_key),
        prefix("/v1/db/" + PercentEncode(r.master_db) + "/snapshots"),
        bytes(b) {}

  Result<Json> Post(const std::string& path, const Json& request) {
    std::string body = DumpJson(request);
    HttpHeaders headers = {{"Accept-Encoding", "zstd"}, {"Content-Type", "application/json"}};
    if (body.size() > kCompressAbove) {
      body = ZstdCompress(body);
      headers["Content-Encoding"] = "zstd";
    }
    *bytes += static_cast<int64_t>(body.size());
    Result<HttpResponse> r = client.Send("POST", path, body, headers);
    if (!r.ok()) return r.status().WithContext("master " + client.base_url());
    *bytes += static_cast<int64_t>(r->body.size());
    std::string plain;
    std::string_view text = r->body;
    if (const std::string* enc = r->Header("content-encoding"); enc && *enc == "zstd") {
      Result<std::string> d = ZstdDecompress(r->body, kMaxAnswerBytes);
      if (!d.ok()) return Status::ProtocolError("master sent a malformed zstd answer");
      plain = std::move(*d);
      text = plain;
    }
    Result<Json> j = ParseJsonObject(text);
    if (!j.ok()) return Status::ProtocolError("master sent an answer that is no JSON object");
    return j;
  }
};

// The remote source, and the snapshot closed when it goes.
class HttpMasterSource : public CollectionSource {
 public:
  HttpMasterSource(std::shared_ptr<MasterLink> link, std::string id, int64_t etag)
      : link_(link), id_(id) {
    inner_ = NewRemoteCollectionSource(
        [link](std::string_view op, const Json& request) {
          return link->Post(link->prefix + "/" + std::string(op), request);
        },
        std::move(id), etag);
  }
  ~HttpMasterSource() override {
    // Best effort: a snapshot left open expires on the master by itself.
    (void)link_->client.Send("DELETE", link_->prefix + "/" + PercentEncode(id_));
  }

  int64_t etag() const override { return inner_->etag(); }
  Result<NodeSummary> Root() override { return inner_->Root(); }
  Result<std::vector<std::vector<NodeSummary>>> Children(const std::vector<TreeNode>& n) override {
    return inner_->Children(n);
  }
  Result<std::vector<std::vector<KeyVersion>>> Entries(const std::vector<TreeNode>& n) override {
    return inner_->Entries(n);
  }
  Result<std::vector<KeyChunk>> KeyChunks(int64_t size) override { return inner_->KeyChunks(size); }
  Result<std::vector<KeyVersion>> KeysBetween(const std::string& a, const std::string& t) override {
    return inner_->KeysBetween(a, t);
  }
  Result<std::vector<Item>> Documents(const std::vector<std::string>& keys) override {
    return inner_->Documents(keys);
  }
  Result<std::vector<Item>> DocumentsAfter(const std::string& after, int64_t limit) override {
    return inner_->DocumentsAfter(after, limit);
  }

 private:
  std::shared_ptr<MasterLink> link_;
  std::string id_;
  std::unique_ptr<CollectionSource> inner_;
};

}  // namespace

MasterOpener NewHttpMasterOpener() {
  return [](const CollectionSyncRequest& r, std::atomic<int64_t>* bytes,
            const std::atomic<bool>* cancel) -> Result<std::unique_ptr<CollectionSource>> {
    auto link = std::make_shared<MasterLink>(r, bytes);
    // --max-wait: the longest the replica waits for any byte of an answer.
    link->client.set_stall_timeout(static_cast<int>(r.max_wait_seconds));
    link->client.set_max_response_bytes(kMaxAnswerBytes);
    link->client.set_cancel_flag(cancel);
    SYNCLINE_ASSIGN_OR_RETURN(Json opened, link->Post(link->prefix, {{"collection", r.collection}}));
    Result<std::string> id = JsonString(opened, "snapshot");
    Result<int64_t> etag = JsonInt(opened, "etag");
    if (!id.ok() || !etag.ok()) {
      return Status::ProtocolError("master " + r.master_url + " opened no snapshot");
    }
    return std::unique_ptr<CollectionSource>(
        std::make_unique<HttpMasterSource>(link, std::move(*id), *etag));
  };
}

}  // namespace syncline
