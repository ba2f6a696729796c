// Both sides of the collection sync protocol (collection_protocol.h).
#include "replicate/collection_protocol.h"

#include <algorithm>

#include "sync/version_vector.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

namespace {

// --- Encoding, shared by both sides ---

Json EncodeSummary(const NodeSummary& s) { return Json::array({s.digest, s.count}); }

Json EncodeEntries(const std::vector<KeyVersion>& entries) {
  Json out = Json::array();
  for (const KeyVersion& e : entries) out.push_back(Json::array({e.key, e.digest}));
  return out;
}

Json EncodeDocuments(const std::vector<Item>& docs) {
  Json out = Json::array();
  for (const Item& d : docs) {
    out.push_back({{"key", d.key},
                   {"version_vector", d.version_vector},
                   {"updated_at", d.updated_at},
                   {"body", d.body}});
  }
  return out;
}

Json EncodeNodes(const std::vector<TreeNode>& nodes) {
  Json out = Json::array();
  for (const TreeNode& n : nodes) out.push_back(Json::array({n.level, n.prefix}));
  return out;
}

// --- Checked decoding ---

Status Bad(std::string_view what) { return Status::InvalidArgument(std::string(what)); }

Result<const Json*> ArrayOf(const Json& value, std::string_view what, size_t size) {
  if (!value.is_array() || (size != 0 && value.size() != size)) {
    return Bad(std::string(what) + " must be an array" +
               (size ? " of " + std::to_string(size) : std::string()));
  }
  return &value;
}

Result<std::vector<TreeNode>> DecodeNodes(const Json& request) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* nodes, JsonArrayField(request, "nodes"));
  if (nodes->size() > kMaxNodesPerCall) {
    return Status::TooLarge("at most " + std::to_string(kMaxNodesPerCall) + " nodes per call");
  }
  std::vector<TreeNode> out;
  for (const Json& n : *nodes) {
    SYNCLINE_RETURN_IF_ERROR(ArrayOf(n, "a node", 2).status());
    SYNCLINE_ASSIGN_OR_RETURN(int64_t level, JsonAsInt(n[0], "a node's level"));
    SYNCLINE_ASSIGN_OR_RETURN(int64_t prefix, JsonAsInt(n[1], "a node's prefix"));
    TreeNode node{static_cast<int>(std::clamp<int64_t>(level, -1, kTreeDepth + 1)),
                  static_cast<uint32_t>(std::clamp<int64_t>(prefix, 0, UINT32_MAX))};
    if (!node.Valid() || node.prefix != prefix) return Bad("no such tree node");
    out.push_back(node);
  }
  return out;
}

Result<NodeSummary> DecodeSummary(const Json& j) {
  SYNCLINE_RETURN_IF_ERROR(ArrayOf(j, "a node summary", 2).status());
  SYNCLINE_ASSIGN_OR_RETURN(std::string digest, JsonAsString(j[0], "a digest"));
  SYNCLINE_ASSIGN_OR_RETURN(int64_t count, JsonAsInt(j[1], "a count"));
  if (count < 0) return Bad("a count must not be negative");
  return NodeSummary{std::move(digest), count};
}

Result<std::vector<KeyVersion>> DecodeEntries(const Json& j) {
  SYNCLINE_RETURN_IF_ERROR(ArrayOf(j, "entries", 0).status());
  std::vector<KeyVersion> out;
  out.reserve(j.size());
  for (const Json& e : j) {
    SYNCLINE_RETURN_IF_ERROR(ArrayOf(e, "an entry", 2).status());
    SYNCLINE_ASSIGN_OR_RETURN(std::string key, JsonAsString(e[0], "an entry's key"));
    SYNCLINE_ASSIGN_OR_RETURN(std::string digest, JsonAsString(e[1], "an entry's digest"));
    if (!out.empty() && key <= out.back().key) return Bad("entries must be in key order");
    out.push_back({std::move(key), std::move(digest)});
  }
  return out;
}

Result<std::vector<Item>> DecodeDocuments(const Json& answer) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* docs, JsonArrayField(answer, "documents"));
  std::vector<Item> out;
  out.reserve(docs->size());
  for (const Json& d : *docs) {
    Item item;
    item.kind = ItemKind::kDocument;
    SYNCLINE_ASSIGN_OR_RETURN(item.key, JsonString(d, "key"));
    SYNCLINE_RETURN_IF_ERROR(ValidateItemName(item.key, "document key"));
    SYNCLINE_ASSIGN_OR_RETURN(item.version_vector, JsonString(d, "version_vector"));
    SYNCLINE_RETURN_IF_ERROR(VersionVector::Parse(item.version_vector).status());
    SYNCLINE_ASSIGN_OR_RETURN(item.updated_at, JsonInt(d, "updated_at"));
    SYNCLINE_ASSIGN_OR_RETURN(item.body, JsonString(d, "body"));
    // Checked without building it (a million bodies in a full sync): an object, well formed.
    size_t first = item.body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || item.body[first] != '{' ||
        !Json::accept(item.body, /*ignore_comments=*/false)) {
      return Bad("a document body must be a JSON object");
    }
    if (!out.empty() && item.key <= out.back().key) return Bad("documents must be in key order");
    out.push_back(std::move(item));
  }
  return out;
}

// --- The master's side ---

Result<Json> HandleOp(CollectionSource& source, std::string_view op, const Json& request) {
  if (op == "root") {
    SYNCLINE_ASSIGN_OR_RETURN(NodeSummary root, source.Root());
    return Json{{"root", EncodeSummary(root)}};
  }
  if (op == "children" || op == "entries") {
    SYNCLINE_ASSIGN_OR_RETURN(auto nodes, DecodeNodes(request));
    Json out = Json::array();
    if (op == "children") {
      SYNCLINE_ASSIGN_OR_RETURN(auto children, source.Children(nodes));
      for (const auto& c : children) {
        Json row = Json::array();
        for (const NodeSummary& s : c) row.push_back(EncodeSummary(s));
        out.push_back(std::move(row));
      }
      return Json{{"children", std::move(out)}};
    }
    SYNCLINE_ASSIGN_OR_RETURN(auto entries, source.Entries(nodes));
    for (const auto& e : entries) out.push_back(EncodeEntries(e));
    return Json{{"entries", std::move(out)}};
  }
  if (op == "key-chunks") {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t size, JsonInt(request, "chunk_size"));
    if (size < 100 || size > kMaxPageSize) {
      return Bad("chunk_size must be 100 to " + std::to_string(kMaxPageSize));
    }
    SYNCLINE_ASSIGN_OR_RETURN(auto chunks, source.KeyChunks(size));
    Json out = Json::array();
    for (const KeyChunk& c : chunks) {
      out.push_back({{"after", c.after}, {"through", c.through}, {"count", c.count},
                     {"digest", c.digest}});
    }
    return Json{{"chunks", std::move(out)}};
  }
  if (op == "keys") {
    SYNCLINE_ASSIGN_OR_RETURN(std::string after, JsonString(request, "after"));
    SYNCLINE_ASSIGN_OR_RETURN(std::string through, JsonString(request, "through"));
    SYNCLINE_ASSIGN_OR_RETURN(auto keys, source.KeysBetween(after, through));
    return Json{{"keys", EncodeEntries(keys)}};
  }
  if (op == "documents") {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* keys, JsonArrayField(request, "keys"));
    if (keys->size() > kMaxKeysPerCall) {
      return Status::TooLarge("at most " + std::to_string(kMaxKeysPerCall) + " keys per call");
    }
    std::vector<std::string> wanted;
    for (const Json& k : *keys) {
      SYNCLINE_ASSIGN_OR_RETURN(std::string key, JsonAsString(k, "a key"));
      wanted.push_back(std::move(key));
    }
    SYNCLINE_ASSIGN_OR_RETURN(auto docs, source.Documents(wanted));
    return Json{{"documents", EncodeDocuments(docs)}};
  }
  if (op == "documents-after") {
    SYNCLINE_ASSIGN_OR_RETURN(std::string after, JsonString(request, "after"));
    SYNCLINE_ASSIGN_OR_RETURN(int64_t limit, JsonInt(request, "limit"));
    SYNCLINE_ASSIGN_OR_RETURN(auto docs, source.DocumentsAfter(after, limit));
    return Json{{"documents", EncodeDocuments(docs)}};
  }
  return Status::NotFound("no snapshot operation '" + std::string(op) + "'");
}

// --- The replica's side ---

class RemoteCollectionSource : public CollectionSource {
 public:
  RemoteCollectionSource(SnapshotTransport transport, std::string id, int64_t etag)
      : transport_(std::move(transport)), id_(std::move(id)), etag_(etag) {}

  int64_t etag() const override { return etag_; }

  Result<NodeSummary> Root() override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("root", Json::object()));
    return Decoded(DecodeSummary(JsonField(a, "root")));
  }

  Result<std::vector<std::vector<NodeSummary>>> Children(
      const std::vector<TreeNode>& nodes) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("children", {{"nodes", EncodeNodes(nodes)}}));
    return Decoded([&]() -> Result<std::vector<std::vector<NodeSummary>>> {
      SYNCLINE_ASSIGN_OR_RETURN(const Json* rows, JsonArrayField(a, "children"));
      std::vector<std::vector<NodeSummary>> out;
      for (const Json& row : *rows) {
        SYNCLINE_RETURN_IF_ERROR(ArrayOf(row, "a node's children", kTreeFanout).status());
        std::vector<NodeSummary> children;
        for (const Json& s : row) {
          SYNCLINE_ASSIGN_OR_RETURN(NodeSummary summary, DecodeSummary(s));
          children.push_back(std::move(summary));
        }
        out.push_back(std::move(children));
      }
      return out;
    }());
  }

  Result<std::vector<std::vector<KeyVersion>>> Entries(const std::vector<TreeNode>& nodes) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("entries", {{"nodes", EncodeNodes(nodes)}}));
    return Decoded([&]() -> Result<std::vector<std::vector<KeyVersion>>> {
      SYNCLINE_ASSIGN_OR_RETURN(const Json* rows, JsonArrayField(a, "entries"));
      std::vector<std::vector<KeyVersion>> out;
      for (const Json& row : *rows) {
        SYNCLINE_ASSIGN_OR_RETURN(auto entries, DecodeEntries(row));
        out.push_back(std::move(entries));
      }
      return out;
    }());
  }

  Result<std::vector<KeyChunk>> KeyChunks(int64_t chunk_size) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("key-chunks", {{"chunk_size", chunk_size}}));
    return Decoded([&]() -> Result<std::vector<KeyChunk>> {
      SYNCLINE_ASSIGN_OR_RETURN(const Json* chunks, JsonArrayField(a, "chunks"));
      std::vector<KeyChunk> out;
      for (const Json& c : *chunks) {
        KeyChunk chunk;
        SYNCLINE_ASSIGN_OR_RETURN(chunk.after, JsonString(c, "after"));
        SYNCLINE_ASSIGN_OR_RETURN(chunk.through, JsonString(c, "through"));
        SYNCLINE_ASSIGN_OR_RETURN(chunk.count, JsonInt(c, "count"));
        SYNCLINE_ASSIGN_OR_RETURN(chunk.digest, JsonString(c, "digest"));
        out.push_back(std::move(chunk));
      }
      return out;
    }());
  }

  Result<std::vector<KeyVersion>> KeysBetween(const std::string& after,
                                              const std::string& through) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("keys", {{"after", after}, {"through", through}}));
    return Decoded(DecodeEntries(JsonField(a, "keys")));
  }

  Result<std::vector<Item>> Documents(const std::vector<std::string>& keys) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("documents", {{"keys", keys}}));
    return Decoded(DecodeDocuments(a));
  }

  Result<std::vector<Item>> DocumentsAfter(const std::string& after, int64_t limit) override {
    SYNCLINE_ASSIGN_OR_RETURN(Json a, Call("documents-after", {{"after", after}, {"limit", limit}}));
    SYNCLINE_ASSIGN_OR_RETURN(auto docs, Decoded(DecodeDocuments(a)));
    if (static_cast<int64_t>(docs.size()) > limit) {
      return Status::ProtocolError("the master sent a longer page than asked for");
    }
    return docs;
  }

 private:
  Result<Json> Call(std::string_view op, Json request) {
    request["snapshot"] = id_;
    return transport_(op, request);
  }

  // An answer that does not decode is the master's fault, whatever the decoder said.
  template <typename T>
  static Result<T> Decoded(Result<T> r) {
    if (r.ok()) return r;
    return Status::ProtocolError("the master's answer is malformed: " + r.status().message());
  }

  SnapshotTransport transport_;
  std::string id_;
  int64_t etag_;
};

}  // namespace

Result<Json> HandleSnapshotOp(CollectionSource& source, std::string_view op, const Json& request) {
  if (!request.is_object()) return Bad("the request must be a JSON object");
  return HandleOp(source, op, request);
}

std::unique_ptr<CollectionSource> NewRemoteCollectionSource(SnapshotTransport transport,
                                                            std::string id, int64_t etag) {
  return std::make_unique<RemoteCollectionSource>(std::move(transport), std::move(id), etag);
}

}  // namespace syncline
