// Fuzz targets for the pure parsers: JSON, filters, URLs, chunk batches and deltas, replies.
#include <string>
#include <string_view>

#include "fuzz_targets.h"
#include "net/url.h"
#include "replicate/chunk_batch.h"
#include "replicate/chunk_delta.h"
#include "replicate/destinations.h"
#include "replicate/protocol.h"
#include "sync/filter.h"
#include "util/json_reader.h"

namespace syncline::fuzz {

namespace {

std::string_view Bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

int FuzzJson(const uint8_t* data, size_t size) {
  Result<Json> j = ParseJson(Bytes(data, size));
  if (!j.ok()) return 0;
  std::string text = DumpJson(*j);
  // What it printed parses back to the same value.
  Result<Json> again = ParseJson(text, kMaxJsonDepth + 1);
  if (!again.ok() || *again != *j) __builtin_trap();
  for (const char* field : {"a", "b", "last_etag", "items"}) {
    (void)JsonString(*j, field);
    (void)JsonInt(*j, field);
    (void)JsonBool(*j, field);
    (void)JsonArrayField(*j, field);
    (void)JsonObjectField(*j, field);
    (void)JsonIntOr(*j, field, 0);
    Status s;
    (void)ReadJsonStatus(*j, field, "error_code", &s);
  }
  return 0;
}

int FuzzFilter(const uint8_t* data, size_t size) {
  Result<Json> j = ParseJson(Bytes(data, size));
  if (!j.ok()) return 0;
  Result<Filter> f = Filter::Parse(*j);
  if (!f.ok()) return 0;
  static const Json kDocs[] = {
      Json::parse(R"({"a":1,"b":"x","c":[1,2,{"d":null}],"e":{"f":true}})"),
      Json::parse(R"({"a":"1","b":2.5,"c":[],"e":{}})"),
      Json::object(),
  };
  for (const Json& doc : kDocs) (void)f->Matches(doc);
  // A filter is also a document: match it against itself.
  if (j->is_object()) (void)f->Matches(*j);
  return 0;
}

int FuzzUrl(const uint8_t* data, size_t size) {
  std::string_view s = Bytes(data, size);
  if (std::optional<Target> t = ParseTarget(s)) {
    for (size_t i = 0; i <= t->segments.size(); ++i) (void)t->Rest(i);
  }
  if (std::optional<std::string> d = PercentDecode(s)) {
    // Encoding then decoding gives the decoded text back.
    std::optional<std::string> round = PercentDecode(PercentEncode(*d));
    if (!round || *round != *d) __builtin_trap();
  }
  (void)NormalizeNodeUrl(std::string(s));
  return 0;
}

int FuzzChunkBatch(const uint8_t* data, size_t size) {
  (void)ForEachBatchChunk(Bytes(data, size), [](const Sha256Digest&, std::string_view) {
    return Status::OK();
  });
  return 0;
}

int FuzzChunkDelta(const uint8_t* data, size_t size) {
  std::string_view s = Bytes(data, size);
  (void)BasisIndex::Parse(s);
  std::vector<Sha256Digest> failed;
  static const std::string kBasis(8192, 'b');
  (void)ApplyRecipes(
      s,
      [](const Sha256Digest&, std::string* out) {
        *out = kBasis;
        return Status::OK();
      },
      [](const Sha256Digest&, std::string_view) { return Status::OK(); }, &failed);
  return 0;
}

int FuzzPeerReply(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the counts the request had; the rest is the reply.
  size_t n = data[0] % 8;
  Result<Json> j = ParseJson(Bytes(data + 1, size - 1));
  if (!j.ok()) return 0;
  (void)DecodeLastEtagReply(ProtoOp::kLastEtag, *j);
  (void)DecodeStateReply(*j, n);
  (void)DecodeApplyDocsReply(*j, n);
  Result<FileBeginReply> begin = DecodeFileBeginReply(*j, n);
  if (begin.ok()) {
    for (size_t i : begin->need) {
      if (i >= n) __builtin_trap();  // the decoder promised every index is in range
    }
  }
  (void)DecodeOutcomeReply(ProtoOp::kFileCommit, *j);
  (void)DecodeOutcomeReply(ProtoOp::kRename, *j);
  (void)DecodeChunksReply(*j, n);
  (void)DecodeRecipesReply(*j, n);
  (void)StatusFromJson(*j);
  return 0;
}

}  // namespace syncline::fuzz
