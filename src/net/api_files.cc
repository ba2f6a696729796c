// Api handlers for files: upload, download (with Range), metadata, list, rename, delete.
#include "chunk/file_reader.h"
#include "net/api.h"
#include "net/http_headers.h"

#include "sync/conflicts.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

using api_internal::EtagHeader;
using api_internal::Preconditions;
using api_internal::IntParam;

namespace {

Json FileInfo(const Item& item) {
  Result<Json> meta = ParseJson(item.metadata);
  return {{"name", item.key},
          {"etag", item.etag},
          {"size", item.size},
          {"content_hash", item.content_hash},
          {"metadata", meta.ok() ? *meta : Json::object()},
          {"updated_at", item.updated_at}};
}

// Metadata is a JSON object of string values, sent in the Syncline-Metadata header.
Result<std::string> ParseMetadata(const std::string* header) {
  if (!header || header->empty()) return std::string("{}");
  SYNCLINE_ASSIGN_OR_RETURN(Json meta, ParseJson(*header));
  if (!meta.is_object()) return Status::InvalidArgument("metadata must be a JSON object");
  for (auto& [k, v] : meta.items()) {
    if (k.empty() || k.size() > 256) {
      return Status::InvalidArgument("metadata names must be 1 to 256 bytes");
    }
    if (!v.is_string()) return Status::InvalidArgument("metadata value of '" + k + "' must be a string");
  }
  return meta.dump();
}

Result<Item> LiveFile(Store* store, const std::string& db, const std::string& name) {
  SYNCLINE_ASSIGN_OR_RETURN(Item item, store->GetItem(db, ItemKind::kFile, "", name));
  if (item.deleted) return Status::NotFound("file '" + name + "' not found (deleted)");
  return item;
}

class FileReaderSource : public BodySource {
 public:
  explicit FileReaderSource(FileReader reader) : reader_(std::move(reader)) {}
  Result<std::string_view> Next() override { return reader_.Next(); }

 private:
  FileReader reader_;
};

class FileUpload : public Upload {
 public:
  FileUpload(LocalWriter* writer, std::string db, std::string name, std::string metadata,
             Precondition precondition, bool resolves, std::unique_ptr<FileWriter> file)
      : writer_(writer),
        db_(std::move(db)),
        name_(std::move(name)),
        metadata_(std::move(metadata)),
        precondition_(std::move(precondition)),
        resolves_(resolves),
        file_(std::move(file)) {}

  Status Write(std::string_view data) override { return file_->Append(data); }

  ApiResponse Finish() override {
    auto content = file_->Finish();
    if (!content.ok()) return ApiResponse::Error(content.status());
    auto item = writer_->CommitFile(db_, name_, *content, metadata_, precondition_, resolves_);
    if (!item.ok()) return ApiResponse::Error(item.status());
    ApiResponse r = ApiResponse::Json(200, FileInfo(*item).dump());
    r.headers.emplace_back("ETag", EtagHeader(item->etag));
    return r;
  }

 private:
  LocalWriter* writer_;
  std::string db_, name_, metadata_;
  Precondition precondition_;
  bool resolves_;
  std::unique_ptr<FileWriter> file_;
};

}  // namespace

Result<std::unique_ptr<Upload>> Api::BeginFileUpload(const ApiCall& c) {
  const ApiRequest& req = c.req;
  const std::string& db = c.db;
  std::string name = c.rest;
  SYNCLINE_RETURN_IF_ERROR(ValidateItemName(name, "file name"));
  SYNCLINE_ASSIGN_OR_RETURN(std::string metadata, ParseMetadata(req.Header("syncline-metadata")));
  SYNCLINE_ASSIGN_OR_RETURN(Precondition precondition, Preconditions(req));
  if (!precondition.empty()) {
    // Checked again at commit; checking now spares sending a body that cannot land.
    Result<Item> cur = LiveFile(store_, db, name);
    if (!cur.ok() && !cur.status().IsNotFound()) return cur.status();
    SYNCLINE_RETURN_IF_ERROR(
        precondition.CheckWrite(cur.ok() ? std::optional<int64_t>(cur->etag) : std::nullopt));
  }
  if (!api_internal::ResolvesConflict(c.target)) {
    // Checked again at commit too; refusing now spares a body that cannot land.
    ItemRef ref{ItemKind::kFile, "", name};
    SYNCLINE_ASSIGN_OR_RETURN(bool conflicted, api_internal::HasConflict(store_, db, ref));
    if (conflicted) return ConflictedWrite(ref);
  }
  SYNCLINE_ASSIGN_OR_RETURN(auto file, FileWriter::Open(store_, db));
  return std::unique_ptr<Upload>(
      new FileUpload(&writer_, db, std::move(name), std::move(metadata), std::move(precondition),
                     api_internal::ResolvesConflict(c.target), std::move(file)));
}

ApiResponse Api::GetFile(const ApiCall& c) {
  const ApiRequest& req = c.req;
  const std::string& db = c.db;
  const std::string& name = c.rest;
  if (Status s = ValidateItemName(name, "file name"); !s.ok()) return ApiResponse::Error(s);
  auto item = LiveFile(store_, db, name);
  if (!item.ok()) return ApiResponse::Error(item.status());
  auto manifest = Manifest::Decode(item->manifest);
  if (!manifest.ok()) return ApiResponse::Error(manifest.status());
  if (auto refusal = api_internal::ConditionalRead(req, item->etag)) return std::move(*refusal);
  uint64_t size = static_cast<uint64_t>(item->size), offset = 0, length = size;
  ApiResponse r;
  r.status = 200;
  ByteRange range = IfRangeHolds(req.Header("if-range"), item->etag)
                        ? ParseByteRange(req.Header("range"), size)
                        : ByteRange{};
  if (range.kind == ByteRange::Kind::kUnsatisfiable) {
    r = ApiResponse::Error(Status::InvalidArgument("range not satisfiable: " + *req.Header("range")));
    r.status = 416;
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  if (range.kind == ByteRange::Kind::kPart) {
    offset = range.offset;
    length = range.length;
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                std::to_string(offset + length - 1) + "/" +
                                                std::to_string(size));
  }
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.headers.emplace_back("Syncline-Content-Hash", item->content_hash);
  Result<Json> meta = ParseJson(item->metadata);
  r.headers.emplace_back("Syncline-Metadata",
                         meta.ok() ? meta->dump(-1, ' ', /*ensure_ascii=*/true) : "{}");
  r.stream = std::make_unique<FileReaderSource>(
      FileReader(store_, db, std::move(manifest).value(), offset, length));
  r.stream_length = length;
  return r;
}

ApiResponse Api::DeleteFile(const ApiCall& c) {
  const std::string& name = c.rest;
  if (Status s = ValidateItemName(name, "file name"); !s.ok()) return ApiResponse::Error(s);
  auto precondition = Preconditions(c.req);
  if (!precondition.ok()) return ApiResponse::Error(precondition.status());
  auto item = writer_.Delete(c.db, ItemKind::kFile, "", name, *precondition,
                             api_internal::ResolvesConflict(c.target));
  if (!item.ok()) return ApiResponse::Error(item.status());
  ApiResponse r = ApiResponse::Json(
      200, Json{{"name", name}, {"etag", item->etag}, {"deleted", true}}.dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

ApiResponse Api::ListFiles(const ApiCall& c) {
  const Target& t = c.target;
  const std::string& db = c.db;
  auto limit = IntParam(t, "limit", 1000, 1, 10000);
  if (!limit.ok()) return ApiResponse::Error(limit.status());
  ListOptions o;
  o.kind = ItemKind::kFile;
  o.limit = *limit;
  if (auto it = t.query.find("after"); it != t.query.end()) o.after = it->second;
  if (auto it = t.query.find("prefix"); it != t.query.end()) o.prefix = it->second;
  auto items = store_->ListItems(db, o);
  if (!items.ok()) return ApiResponse::Error(items.status());
  Json out = Json::array();
  for (const Item& item : *items) out.push_back(FileInfo(item));
  return ApiResponse::Json(200, out.dump());
}

ApiResponse Api::GetFileMetadata(const ApiCall& c) {
  const std::string& name = c.rest;
  if (Status s = ValidateItemName(name, "file name"); !s.ok()) return ApiResponse::Error(s);
  auto item = LiveFile(store_, c.db, name);
  if (!item.ok()) return ApiResponse::Error(item.status());
  auto conflict = FindConflict(store_, c.db, {ItemKind::kFile, "", name});
  if (!conflict.ok()) return ApiResponse::Error(conflict.status());
  if (auto refusal = api_internal::ConditionalRead(c.req, item->etag)) return std::move(*refusal);
  Json info = FileInfo(*item);
  info["conflict"] = conflict->has_value();
  ApiResponse r = ApiResponse::Json(200, info.dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

ApiResponse Api::UpdateFileMetadata(const ApiCall& c) {
  const ApiRequest& req = c.req;
  const Target& t = c.target;
  const std::string& db = c.db;
  const std::string& name = c.rest;
  if (Status s = ValidateItemName(name, "file name"); !s.ok()) return ApiResponse::Error(s);
  // {"set": {name: value}, "unset": [name]}
  auto body = ParseJson(req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  auto precondition = Preconditions(req);
  if (!precondition.ok()) return ApiResponse::Error(precondition.status());
  std::map<std::string, std::string> set;
  std::vector<std::string> unset;
  const Json empty_set = Json::object(), empty_unset = Json::array();
  const Json& s = body->is_object() && body->contains("set") ? (*body)["set"] : empty_set;
  const Json& u = body->is_object() && body->contains("unset") ? (*body)["unset"] : empty_unset;
  if (!body->is_object() || !s.is_object() || !u.is_array()) {
    return ApiResponse::Error(Status::InvalidArgument(
        "metadata update needs {\"set\": {name: value}, \"unset\": [name]}"));
  }
  std::string set_text = s.dump();
  auto checked = ParseMetadata(&set_text);
  if (!checked.ok()) return ApiResponse::Error(checked.status());
  for (auto& [k, v] : s.items()) set[k] = v.get<std::string>();
  for (const auto& k : u) {
    if (!k.is_string()) return ApiResponse::Error(Status::InvalidArgument("unset takes names"));
    unset.push_back(k.get<std::string>());
  }
  auto item = writer_.UpdateMetadata(db, name, set, unset, *precondition,
                                     api_internal::ResolvesConflict(t));
  if (!item.ok()) return ApiResponse::Error(item.status());
  ApiResponse r = ApiResponse::Json(200, FileInfo(*item).dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

ApiResponse Api::RenameFile(const ApiCall& c) {
  const ApiRequest& req = c.req;
  auto body = ParseJsonObject(req.body);
  auto from = body.ok() ? JsonString(*body, "from") : Result<std::string>(body.status());
  auto to = body.ok() ? JsonString(*body, "to") : Result<std::string>(body.status());
  if (!from.ok() || !to.ok()) {
    return ApiResponse::Error(Status::InvalidArgument("rename needs {\"from\": ..., \"to\": ...}"));
  }
  Status s = ValidateItemName(*from, "file name");
  if (s.ok()) s = ValidateItemName(*to, "new file name");
  if (!s.ok()) return ApiResponse::Error(s);
  auto precondition = Preconditions(req);
  if (!precondition.ok()) return ApiResponse::Error(precondition.status());
  auto item =
      writer_.RenameFile(c.db, *from, *to, *precondition, api_internal::ResolvesConflict(c.target));
  if (!item.ok()) return ApiResponse::Error(item.status());
  ApiResponse r = ApiResponse::Json(200, FileInfo(*item).dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

}  // namespace syncline
