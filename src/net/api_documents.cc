// Api handlers for documents: put, get, delete, list, find, bulk.
#include "net/api.h"
#include "sync/filter.h"
#include "sync/indexed_lookup.h"
#include "sync/projection.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

using api_internal::EtagHeader;
using api_internal::Preconditions;
using api_internal::IntParam;

namespace {

// Checks a document body: at most 16 MiB, JSON, an object, nested at most 64 levels.
Result<Json> ParseDocument(std::string_view body) {
  if (body.size() > kMaxDocumentBytes) {
    return Status::TooLarge("document is larger than 16 MiB");
  }
  SYNCLINE_ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  if (!doc.is_object()) return Status::InvalidArgument("a document must be a JSON object");
  return doc;
}

Json DocumentInfo(const Item& item) {
  return {{"collection", item.collection}, {"key", item.key}, {"etag", item.etag}};
}

// Document info plus the document as stored, in its own key order (a parse and dump would
// sort its keys); the stored text was validated on the way in.
std::string DocumentWithBodyText(const Item& item, std::string_view document) {
  std::string text = DocumentInfo(item).dump();
  text.pop_back();  // the closing brace
  text += ",\"document\":";
  text += document;
  text += '}';
  return text;
}

std::string JsonArrayText(const std::vector<std::string>& elements) {
  std::string out = "[";
  for (const std::string& e : elements) {
    if (out.size() > 1) out += ',';
    out += e;
  }
  return out + "]";
}

}  // namespace

namespace {

// The key of a document route, checked.
Result<std::string> DocumentKey(const ApiCall& c) {
  SYNCLINE_RETURN_IF_ERROR(ValidateItemName(c.rest, "document key"));
  return c.rest;
}

}  // namespace

ApiResponse Api::PutDocument(const ApiCall& c) {
  auto key = DocumentKey(c);
  if (!key.ok()) return ApiResponse::Error(key.status());
  auto precondition = Preconditions(c.req);
  if (!precondition.ok()) return ApiResponse::Error(precondition.status());
  auto doc = ParseDocument(c.req.body);
  if (!doc.ok()) return ApiResponse::Error(doc.status());
  auto item = writer_.PutDocument(
      c.db, {c.collection, *key, c.req.body, *precondition, api_internal::ResolvesConflict(c.target)});
  if (!item.ok()) return ApiResponse::Error(item.status());
  ApiResponse r = ApiResponse::Json(200, DocumentInfo(*item).dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

ApiResponse Api::GetDocument(const ApiCall& c) {
  auto key = DocumentKey(c);
  if (!key.ok()) return ApiResponse::Error(key.status());
  auto item = store_->GetItem(c.db, ItemKind::kDocument, c.collection, *key);
  if (item.ok() && item->deleted) {
    item = Status::NotFound("document '" + *key + "' not found (deleted)");
  }
  if (!item.ok()) return ApiResponse::Error(item.status());
  if (auto refusal = api_internal::ConditionalRead(c.req, item->etag)) return std::move(*refusal);
  auto conflicted = api_internal::HasConflict(store_, c.db, item->ref());
  if (!conflicted.ok()) return ApiResponse::Error(conflicted.status());
  ApiResponse r = ApiResponse::Json(200, std::move(item->body));
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  // The body is the document itself; its conflict shows as a header, as a file's in meta.
  if (*conflicted) r.headers.emplace_back("Syncline-Conflict", "true");
  return r;
}

ApiResponse Api::DeleteDocument(const ApiCall& c) {
  auto key = DocumentKey(c);
  if (!key.ok()) return ApiResponse::Error(key.status());
  auto precondition = Preconditions(c.req);
  if (!precondition.ok()) return ApiResponse::Error(precondition.status());
  auto item = writer_.Delete(c.db, ItemKind::kDocument, c.collection, *key, *precondition,
                             api_internal::ResolvesConflict(c.target));
  if (!item.ok()) return ApiResponse::Error(item.status());
  Json j = DocumentInfo(*item);
  j["deleted"] = true;
  ApiResponse r = ApiResponse::Json(200, j.dump());
  r.headers.emplace_back("ETag", EtagHeader(item->etag));
  return r;
}

ApiResponse Api::ListCollections(const ApiCall& c) {
  auto list = store_->ListCollections(c.db);
  if (!list.ok()) return ApiResponse::Error(list.status());
  Json out = Json::array();
  for (const Store::CollectionInfo& i : *list) {
    out.push_back({{"name", i.name}, {"documents", i.documents}});
  }
  return api_internal::JsonAnswer(out);
}

ApiResponse Api::ListDocuments(const ApiCall& c) {
  const Target& t = c.target;
  const std::string& db = c.db;
  const std::string& collection = c.collection;
  auto limit = IntParam(t, "limit", 100, 1, 10000);
  if (!limit.ok()) return ApiResponse::Error(limit.status());
  ListOptions o;
  o.kind = ItemKind::kDocument;
  o.collection = collection;
  o.limit = *limit;
  if (auto it = t.query.find("after"); it != t.query.end()) o.after = it->second;
  if (auto it = t.query.find("prefix"); it != t.query.end()) o.prefix = it->second;
  auto items = store_->ListItems(db, o);
  if (!items.ok()) return ApiResponse::Error(items.status());
  std::vector<std::string> out;
  for (const Item& item : *items) out.push_back(DocumentWithBodyText(item, item.body));
  return ApiResponse::Json(200, JsonArrayText(out));
}

ApiResponse Api::FindDocuments(const ApiCall& c) {
  const std::string& db = c.db;
  const std::string& collection = c.collection;
  auto body = ParseJson(c.req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  if (!body->is_object()) {
    return ApiResponse::Error(Status::InvalidArgument("find needs a JSON object body"));
  }
  auto filter = Filter::Parse(body->value("filter", Json::object()));
  if (!filter.ok()) return ApiResponse::Error(filter.status());
  std::vector<std::string> fields;
  if (body->contains("fields")) {
    auto f = JsonArrayField(*body, "fields");
    if (!f.ok()) return ApiResponse::Error(f.status());
    for (const auto& name : **f) {
      auto field = JsonAsString(name, "fields[]");
      if (!field.ok()) return ApiResponse::Error(field.status());
      fields.push_back(std::move(*field));
    }
  }
  // Every field is optional (docs/API.md): offset 0, limit 100.
  auto offset_field = JsonIntOr(*body, "offset", 0);
  auto limit_field = JsonIntOr(*body, "limit", 100);
  if (!offset_field.ok() || !limit_field.ok() || *offset_field < 0 || *limit_field < 0 ||
      *limit_field > 10000) {
    return ApiResponse::Error(
        Status::InvalidArgument("offset must be >= 0 and limit from 0 to 10000"));
  }
  int64_t skip = *offset_field, limit = *limit_field;

  // Candidates in key order, a page at a time: through a field index when the filter pins an
  // indexed field to one value, else a scan of the collection. The whole filter still decides.
  auto indexed = FindIndexedLookup(store_, db, collection, body->value("filter", Json::object()));
  if (!indexed.ok()) return ApiResponse::Error(indexed.status());
  std::string after;
  auto next_page = [&]() -> Result<std::vector<Item>> {
    if (*indexed) {
      return store_->FindByField(db, collection, (*indexed)->field, (*indexed)->value, after,
                                 1000);
    }
    ListOptions o;
    o.kind = ItemKind::kDocument;
    o.collection = collection;
    o.limit = 1000;
    o.after = after;
    return store_->ListItems(db, o);
  };
  std::vector<std::string> out;
  while (static_cast<int64_t>(out.size()) < limit) {
    auto items = next_page();
    if (!items.ok()) return ApiResponse::Error(items.status());
    for (const Item& item : *items) {
      Json doc = Json::parse(item.body, nullptr, false);
      if (!filter->Matches(doc)) continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      // Without fields the document goes as stored, in its own key order.
      out.push_back(DocumentWithBodyText(item, fields.empty() ? std::string(item.body)
                                                              : ProjectFields(doc, fields).dump()));
      if (static_cast<int64_t>(out.size()) >= limit) break;
    }
    if (items->size() < 1000) break;
    after = items->back().key;
  }
  return ApiResponse::Json(200, JsonArrayText(out));
}

ApiResponse Api::BulkDocuments(const ApiCall& c) {
  const std::string& db = c.db;
  auto body = ParseJson(c.req.body, kMaxJsonDepth + 3);  // docs[i].document adds three levels
  if (!body.ok()) return ApiResponse::Error(body.status());
  if (!body->is_object() || !body->contains("docs") || !(*body)["docs"].is_array()) {
    return ApiResponse::Error(Status::InvalidArgument("bulk needs {\"docs\": [...]}"));
  }
  const Json& docs = (*body)["docs"];
  if (docs.size() > 10000) {
    return ApiResponse::Error(Status::TooLarge("at most 10000 documents per bulk request"));
  }
  std::vector<DocumentWrite> writes;
  writes.reserve(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    const Json& d = docs[i];
    std::string where = "docs[" + std::to_string(i) + "]";
    if (!d.is_object() || !d.contains("collection") || !d["collection"].is_string() ||
        !d.contains("key") || !d["key"].is_string() || !d.contains("document") ||
        !d["document"].is_object()) {
      return ApiResponse::Error(Status::InvalidArgument(
          where + " needs string collection and key and an object document"));
    }
    DocumentWrite w;
    w.collection = *JsonString(d, "collection");  // checked above
    w.key = *JsonString(d, "key");
    Status s = ValidateCollectionName(w.collection);
    if (s.ok()) s = ValidateItemName(w.key, "document key");
    if (!s.ok()) return ApiResponse::Error(s.WithContext(where));
    if (d.contains("if_match")) {
      auto etag = JsonInt(d, "if_match");
      if (!etag.ok() || *etag < 0) {
        return ApiResponse::Error(Status::InvalidArgument(where + ".if_match must be an etag"));
      }
      w.precondition = Precondition(std::optional<int64_t>(*etag));
    }
    auto resolves = JsonBoolOr(d, "resolve", false);
    if (!resolves.ok()) return ApiResponse::Error(resolves.status().WithContext(where));
    w.resolves_conflict = *resolves;
    w.body = d["document"].dump();
    if (w.body.size() > kMaxDocumentBytes) {
      return ApiResponse::Error(Status::TooLarge(where + " is larger than 16 MiB"));
    }
    writes.push_back(std::move(w));
  }
  auto items = writer_.PutDocuments(db, writes);
  if (!items.ok()) return ApiResponse::Error(items.status());
  Json out = Json::array();
  for (const Item& item : *items) out.push_back(DocumentInfo(item));
  return ApiResponse::Json(200, out.dump());
}

}  // namespace syncline
