// HttpMasterSource: the collection protocol over one keep-alive HttpClient.
#include "net/http_master.h"

#include <algorithm>

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
  TransferCounters* counters;

  MasterLink(const CollectionSyncRequest& r, TransferCounters* c)
      : client(r.master_url, r.master_key),
        prefix("/v1/db/" + PercentEncode(r.master_db) + "/snapshots"),
        counters(c) {}

  Result<Json> Post(const std::string& path, const Json& request) {
    std::string body = DumpJson(request);
    HttpHeaders headers = {{"Accept-Encoding", "zstd"}, {"Content-Type", "application/json"}};
    if (body.size() > kCompressAbove) {
      body = ZstdCompress(body);
      headers["Content-Encoding"] = "zstd";
    }
    counters->bytes += static_cast<int64_t>(body.size());
    ++counters->requests;
    Result<HttpResponse> r = client.Send("POST", path, body, headers);
    if (!r.ok()) return r.status().WithContext("master " + client.base_url());
    counters->bytes += static_cast<int64_t>(r->body.size());
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

class HttpMasterFeed : public MasterFeed {
 public:
  HttpMasterFeed(const FollowerRecord& f, const std::atomic<bool>* cancel)
      : cancel_(cancel), feed_(f.master_url, f.master_key),
        changes_path_("/v1/db/" + PercentEncode(f.master_db) + "/changes") {
    request_.collection = f.collection;
    request_.master_url = f.master_url;
    request_.master_db = f.master_db;
    request_.master_key = f.master_key;
    request_.max_wait_seconds = 60;
    feed_.set_cancel_flag(cancel);
    feed_.set_max_response_bytes(kMaxAnswerBytes);
  }

  Result<ChangePage> Changes(int64_t since, int64_t limit, int wait_seconds) override {
    // A long-poll is silent while it waits: only a longer silence is a dead master.
    feed_.set_stall_timeout(wait_seconds + 30);
    SYNCLINE_ASSIGN_OR_RETURN(
        HttpResponse r,
        feed_.Send("GET", changes_path_ + "?since=" + std::to_string(since) + "&limit=" +
                              std::to_string(limit) + "&wait=" + std::to_string(wait_seconds)));
    return Decoded(r.body, since, limit);
  }

  Result<std::vector<Item>> Documents(const std::string& collection,
                                      const std::vector<std::string>& keys) override {
    request_.collection = collection;
    SYNCLINE_ASSIGN_OR_RETURN(auto source, NewHttpMasterOpener()(request_, &moved_, cancel_));
    return source->Documents(keys);
  }

 private:
  static Result<ChangePage> Decoded(std::string_view body, int64_t since, int64_t limit) {
    auto bad = [](const Status& s) {
      return Status::ProtocolError("the master's change feed is malformed: " + s.message());
    };
    Result<Json> j = ParseJsonObject(body);
    if (!j.ok()) return bad(j.status());
    ChangePage page;
    Result<int64_t> last = JsonInt(*j, "last_etag");
    Result<const Json*> changes = JsonArrayField(*j, "changes");
    if (!last.ok()) return bad(last.status());
    if (!changes.ok()) return bad(changes.status());
    if (static_cast<int64_t>((*changes)->size()) > limit) return bad(Status::TooLarge("too long a page"));
    // The database's latest etag, where the node says it (followers show their lag from it).
    Result<int64_t> latest = JsonIntOr(*j, "latest_etag", *last);
    if (!latest.ok()) return bad(latest.status());
    page.last_etag = std::max(*last, *latest);
    int64_t previous = since;
    for (const Json& c : **changes) {
      Change change;
      Result<int64_t> etag = JsonInt(c, "etag");
      Result<std::string> kind = JsonString(c, "kind");
      if (!etag.ok()) return bad(etag.status());
      if (!kind.ok()) return bad(kind.status());
      if (*etag <= previous) return bad(Status::InvalidArgument("etags must increase"));
      previous = change.etag = *etag;
      if (*kind == "document") {
        change.kind = ItemKind::kDocument;
        Result<std::string> collection = JsonString(c, "collection");
        Result<std::string> key = JsonString(c, "key");
        if (!collection.ok()) return bad(collection.status());
        if (!key.ok()) return bad(key.status());
        change.collection = *collection;
        change.key = *key;
      } else {
        change.kind = ItemKind::kFile;  // files do not concern a collection
      }
      page.changes.push_back(std::move(change));
    }
    return page;
  }

  const std::atomic<bool>* cancel_;
  HttpClient feed_;
  std::string changes_path_;
  CollectionSyncRequest request_;
  TransferCounters moved_;
};

}  // namespace

FeedOpener NewHttpFeedOpener() {
  return [](const FollowerRecord& f,
            const std::atomic<bool>* cancel) -> Result<std::unique_ptr<MasterFeed>> {
    return std::unique_ptr<MasterFeed>(std::make_unique<HttpMasterFeed>(f, cancel));
  };
}

MasterOpener NewHttpMasterOpener() {
  return [](const CollectionSyncRequest& r, TransferCounters* counters,
            const std::atomic<bool>* cancel) -> Result<std::unique_ptr<CollectionSource>> {
    auto link = std::make_shared<MasterLink>(r, counters);
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
