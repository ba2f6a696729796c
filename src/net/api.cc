// Api: authentication, routing, databases and the change feed.
#include "net/api.h"

#include <sodium.h>

#include <charconv>

#include "net/status_http.h"
#include "sync/conflicts.h"
#include "sync/garbage_collector.h"
#include "util/json.h"
#include "util/name.h"

namespace syncline {

using api_internal::IntParam;
using api_internal::MethodNotAllowed;

namespace {

std::string KeyHash(std::string_view key) {
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace

const std::string* ApiRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

ApiResponse ApiResponse::Json(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

ApiResponse ApiResponse::Error(const Status& status) {
  return Json(HttpStatusOf(status), ErrorBody(status));
}

namespace api_internal {

ApiResponse MethodNotAllowed(const std::string& method) {
  ApiResponse r = ApiResponse::Error(
      Status::InvalidArgument("method " + method + " is not allowed on this resource"));
  r.status = 405;
  return r;
}

Result<std::optional<int64_t>> IfMatch(const ApiRequest& req) {
  const std::string* h = req.Header("if-match");
  if (!h) return std::optional<int64_t>();
  std::string_view v = *h;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t etag = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), etag);
  if (ec != std::errc() || p != v.data() + v.size() || etag < 0) {
    return Status::InvalidArgument("If-Match must be an etag number");
  }
  return std::optional<int64_t>(etag);
}

Result<int64_t> IntParam(const Target& t, const std::string& name, int64_t fallback,
                         int64_t min, int64_t max) {
  auto it = t.query.find(name);
  if (it == t.query.end()) return fallback;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return Status::InvalidArgument("parameter '" + name + "' must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

bool ResolvesConflict(const Target& t) {
  auto it = t.query.find("resolve");
  return it != t.query.end() && (it->second == "1" || it->second == "true");
}

Result<bool> HasConflict(Store* store, const std::string& db, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> c, FindConflict(store, db, ref));
  return c.has_value();
}

std::string EtagHeader(int64_t etag) {
  std::string h = std::to_string(etag);  // built in place: GCC 12 warns falsely on a + chain
  h.insert(h.begin(), '"');
  h.push_back('"');
  return h;
}

}  // namespace api_internal

Api::Api(Store* store, Env* env, std::string admin_key, std::string node_name)
    : store_(store),
      env_(env),
      writer_(store, env->clock),
      admin_key_hash_(KeyHash(admin_key)),
      node_name_(std::move(node_name)) {}

Status Api::Authenticate(const ApiRequest& req) const {
  const std::string* h = req.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!h || h->compare(0, kBearer.size(), kBearer) != 0) {
    return Status::Unauthenticated("missing API key: send 'Authorization: Bearer KEY'");
  }
  std::string given = KeyHash(std::string_view(*h).substr(kBearer.size()));
  if (sodium_memcmp(given.data(), admin_key_hash_.data(), given.size()) != 0) {
    return Status::Unauthenticated("wrong API key");
  }
  return Status::OK();
}

bool Api::IsUpload(const ApiRequest& req) const {
  if (req.method != "PUT" && req.method != "POST") return false;
  auto t = ParseTarget(req.target);
  if (!t || t->segments.size() < 5 || t->segments[0] != "v1" || t->segments[1] != "db") return false;
  if (req.method == "PUT") return t->segments[3] == "files";
  // Chunk batches from a syncing source: megabytes each, so they take the fast body path too.
  if (t->segments.size() != 6 || t->segments[3] != "sync" || t->segments[4] != "proto") return false;
  std::optional<ProtoOp> op = ParseProtoOp(t->segments[5]);
  return op && IsBinaryOp(*op);
}

bool Api::IsSlow(const ApiRequest& req) const {
  if (req.method != "POST") return false;
  auto t = ParseTarget(req.target);
  if (t && t->segments.size() == 4 && (t->segments[3] == "gc" || t->segments[3] == "stats")) {
    return true;  // reads every manifest and may copy packs
  }
  return t && t->segments.size() == 5 && t->segments[3] == "sync" &&
         (t->segments[4] == "run" || t->segments[4] == "start");
}

ApiResponse Api::Handle(const ApiRequest& req) {
  std::optional<Target> t = ParseTarget(req.target);
  if (!t) return ApiResponse::Error(Status::InvalidArgument("malformed percent-escape in URL"));
  const auto& seg = t->segments;
  if (seg.size() == 2 && seg[0] == "v1" && seg[1] == "health") {
    if (req.method != "GET" && req.method != "HEAD") return MethodNotAllowed(req.method);
    return Health();
  }
  if (Status s = Authenticate(req); !s.ok()) {
    ApiResponse r = ApiResponse::Error(s);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  return Route(req, *t);
}

ApiResponse Api::Route(const ApiRequest& req, const Target& t) {
  const auto& seg = t.segments;
  if (seg.size() < 2 || seg[0] != "v1" || seg[1] != "db") {
    return ApiResponse::Error(Status::NotFound("no such resource: " + req.target));
  }
  if (seg.size() == 2) {
    if (req.method != "GET") return MethodNotAllowed(req.method);
    return ListDatabases();
  }
  const std::string& db = seg[2];
  if (Status s = ValidateDatabaseName(db); !s.ok()) return ApiResponse::Error(s);
  if (seg.size() == 3) return Database(req, db);
  const std::string& resource = seg[3];
  if (resource == "changes" && seg.size() == 4) {
    if (req.method != "GET") return MethodNotAllowed(req.method);
    return Changes(req, t, db);
  }
  if (resource == "docs") {
    if (seg.size() == 5) {
      if (req.method != "GET") return MethodNotAllowed(req.method);
      if (Status s = ValidateCollectionName(seg[4]); !s.ok()) return ApiResponse::Error(s);
      return ListDocuments(t, db, seg[4]);
    }
    if (seg.size() >= 6) return Document(req, t, db);
  }
  if (resource == "find" && seg.size() == 5) {
    if (req.method != "POST") return MethodNotAllowed(req.method);
    if (Status s = ValidateCollectionName(seg[4]); !s.ok()) return ApiResponse::Error(s);
    return FindDocuments(req, db, seg[4]);
  }
  if (resource == "bulk" && seg.size() == 4) {
    if (req.method != "POST") return MethodNotAllowed(req.method);
    return BulkDocuments(req, db);
  }
  if (resource == "files") {
    if (seg.size() == 4) {
      if (req.method != "GET") return MethodNotAllowed(req.method);
      return ListFiles(t, db);
    }
    return File(req, t, db);
  }
  if (resource == "meta" && seg.size() >= 5) return FileMetadata(req, t, db);
  if (resource == "destinations" && seg.size() == 4) return Destinations(req, t, db);
  if (resource == "sync" && seg.size() >= 5) return Sync(req, t, db);
  if (resource == "conflicts") return Conflicts(req, t, db);
  if ((resource == "gc" || resource == "stats") && seg.size() == 4) {
    if (req.method != (resource == "gc" ? "POST" : "GET")) return MethodNotAllowed(req.method);
    return Storage(db, resource == "gc");
  }
  if (resource == "rename" && seg.size() == 4) {
    if (req.method != "POST") return MethodNotAllowed(req.method);
    return RenameFile(req, t, db);
  }
  return ApiResponse::Error(Status::NotFound("no such resource: " + req.target));
}

ApiResponse Api::Health() {
  Json j = {{"status", "ok"}, {"node_id", store_->node_id()}, {"node_name", node_name_},
            {"long_polls", waiters_ ? waiters_->size() : 0}};
  return ApiResponse::Json(200, j.dump());
}

ApiResponse Api::ListDatabases() {
  auto dbs = store_->ListDatabases();
  if (!dbs.ok()) return ApiResponse::Error(dbs.status());
  Json out = Json::array();
  for (const auto& d : *dbs) out.push_back({{"name", d.name}, {"last_etag", d.last_etag}});
  return ApiResponse::Json(200, out.dump());
}

ApiResponse Api::Database(const ApiRequest& req, const std::string& db) {
  if (req.method == "PUT") {
    Status s = store_->CreateDatabase(db);
    if (!s.ok()) return ApiResponse::Error(s);
    return ApiResponse::Json(201, Json{{"name", db}, {"last_etag", 0}}.dump());
  }
  if (req.method == "GET") {
    auto info = store_->GetDatabase(db);
    if (!info.ok()) return ApiResponse::Error(info.status());
    return ApiResponse::Json(200, Json{{"name", db}, {"last_etag", info->last_etag}}.dump());
  }
  if (req.method == "DELETE") {
    Status s = store_->DropDatabase(db);
    if (!s.ok()) return ApiResponse::Error(s);
    if (replicator_) (void)replicator_->DestinationsChanged(db);  // stops its workers
    return ApiResponse::Json(200, Json{{"name", db}, {"deleted", true}}.dump());
  }
  return MethodNotAllowed(req.method);
}

ApiResponse Api::Storage(const std::string& db, bool collect) {
  if (auto info = store_->GetDatabase(db); !info.ok()) return ApiResponse::Error(info.status());
  Result<ChunkStats> s = collect ? CollectGarbage(store_, db, GcOptions{0}) : GetChunkStats(store_, db);
  if (!s.ok()) return ApiResponse::Error(s.status());
  Json j = {{"chunks", s->chunks},          {"live_chunks", s->live_chunks},
            {"live_bytes", s->live_bytes},  {"garbage_bytes", s->garbage_bytes},
            {"disk_bytes", s->disk_bytes},  {"packs", s->packs}};
  if (collect) {
    j["packs_compacted"] = s->packs_compacted;
    j["bytes_reclaimed"] = s->bytes_reclaimed;
  }
  return ApiResponse::Json(200, j.dump());
}

ApiResponse Api::Changes(const ApiRequest& req, const Target& t, const std::string& db) {
  (void)req;
  auto since = IntParam(t, "since", 0, 0, INT64_MAX);
  auto limit = IntParam(t, "limit", 1000, 1, 10000);
  auto wait = IntParam(t, "wait", 0, 0, 3600);
  for (const Status* s : {&since.status(), &limit.status(), &wait.status()}) {
    if (!s->ok()) return ApiResponse::Error(*s);
  }
  auto page = store_->ListChanges(db, *since, *limit);
  if (!page.ok()) return ApiResponse::Error(page.status());
  if (page->changes.empty() && *wait > 0) {
    ApiResponse r;
    r.long_poll = ApiResponse::LongPoll{db, *since, static_cast<double>(*wait)};
    return r;
  }
  Json changes = Json::array();
  for (const Change& c : page->changes) {
    Json j = {{"etag", c.etag}, {"kind", ItemKindName(c.kind)}, {"deleted", c.deleted}};
    if (c.kind == ItemKind::kFile) {
      j["name"] = c.key;
    } else {
      j["collection"] = c.collection;
      j["key"] = c.key;
    }
    changes.push_back(std::move(j));
  }
  Json out = {{"changes", std::move(changes)}, {"last_etag", page->last_etag}};
  return ApiResponse::Json(200, out.dump());
}

}  // namespace syncline
