// Api: authentication, routing, databases and the change feed.
#include "net/api.h"

#include <algorithm>

#include <charconv>

#include "net/http_headers.h"
#include "net/status_http.h"
#include "sync/conflicts.h"
#include "sync/garbage_collector.h"
#include "util/json.h"
#include "util/json_reader.h"
#include "util/name.h"
#include "util/zstd.h"

namespace syncline {

using api_internal::IntParam;


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

ApiResponse JsonAnswer(const Json& j, int status) {
  return ApiResponse::Json(status, DumpJson(j));
}

Result<std::string_view> BodyText(const ApiRequest& req, std::string* storage) {
  if (const std::string* enc = req.Header("content-encoding"); enc && *enc == "zstd") {
    SYNCLINE_ASSIGN_OR_RETURN(*storage, ZstdDecompress(req.body, kMaxRequestBodyBytes));
    return std::string_view(*storage);
  }
  return std::string_view(req.body);
}

Result<Json> ObjectBody(const ApiRequest& req) {
  std::string plain;
  SYNCLINE_ASSIGN_OR_RETURN(std::string_view text, BodyText(req, &plain));
  if (text.empty()) return Json::object();
  return ParseJsonObject(text);
}

void CompressIfAccepted(const ApiRequest& req, ApiResponse* r) {
  const std::string* accept = req.Header("accept-encoding");
  if (accept && accept->find("zstd") != std::string::npos && r->body.size() > 4096) {
    r->body = ZstdCompress(r->body);
    r->headers.emplace_back("Content-Encoding", "zstd");
  }
}

Result<Precondition> Preconditions(const ApiRequest& req) {
  return ParsePreconditions(req.Header("if-match"), req.Header("if-none-match"));
}

std::optional<ApiResponse> ConditionalRead(const ApiRequest& req, int64_t etag) {
  Result<Precondition> p = Preconditions(req);
  if (!p.ok()) return ApiResponse::Error(p.status());
  switch (p->CheckRead(etag)) {
    case Precondition::ReadOutcome::kServe:
      return std::nullopt;
    case Precondition::ReadOutcome::kNotModified: {
      ApiResponse r;
      r.status = 304;
      r.headers.emplace_back("ETag", EtagHeader(etag));
      return r;
    }
    case Precondition::ReadOutcome::kFailed:
      return ApiResponse::Error(Status::PreconditionFailed(
          "If-Match does not match: the current etag is " + std::to_string(etag)));
  }
  return std::nullopt;
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

Api::Api(Store* store, Env* env, std::string admin_key, std::string node_name,
         int64_t token_ttl_seconds)
    : store_(store),
      env_(env),
      writer_(store, env->clock),
      auth_(store, env, admin_key, token_ttl_seconds),
      node_name_(std::move(node_name)),
      started_at_(env->clock->NowMicros()) {}

ApiResponse Api::Health(const ApiCall&) {
  int64_t up = env_->clock->NowMicros() - started_at_;
  Json j = {{"status", "ok"},
            {"node_id", store_->node_id()},
            {"node_name", node_name_},
            {"version", SYNCLINE_VERSION},
            {"started_at", started_at_},
            {"uptime_seconds", up / 1000000},
            {"long_polls", waiters_ ? waiters_->size() : 0}};
  return ApiResponse::Json(200, j.dump());
}

ApiResponse Api::ListDatabases(const ApiCall& c) {
  auto dbs = store_->ListDatabases();
  if (!dbs.ok()) return ApiResponse::Error(dbs.status());
  Json out = Json::array();
  for (const auto& d : *dbs) {
    if (!RoleOn(c.principal, d.name)) continue;  // a user sees the databases it may use
    out.push_back({{"name", d.name}, {"last_etag", d.last_etag}});
  }
  return ApiResponse::Json(200, out.dump());
}

ApiResponse Api::CreateDatabase(const ApiCall& c) {
  if (Status s = store_->CreateDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  return ApiResponse::Json(201, Json{{"name", c.db}, {"last_etag", 0}}.dump());
}

ApiResponse Api::GetDatabase(const ApiCall& c) {
  auto info = store_->GetDatabase(c.db);
  if (!info.ok()) return ApiResponse::Error(info.status());
  return ApiResponse::Json(200, Json{{"name", c.db}, {"last_etag", info->last_etag}}.dump());
}

ApiResponse Api::DropDatabase(const ApiCall& c) {
  if (Status s = store_->DropDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  if (replicator_) (void)replicator_->DestinationsChanged(c.db);  // stops its workers
  return ApiResponse::Json(200, Json{{"name", c.db}, {"deleted", true}}.dump());
}

namespace {

Json ChunkStatsJson(const ChunkStats& s, bool collected) {
  Json j = {{"chunks", s.chunks},          {"live_chunks", s.live_chunks},
            {"live_bytes", s.live_bytes},  {"garbage_bytes", s.garbage_bytes},
            {"disk_bytes", s.disk_bytes},  {"packs", s.packs},
            {"referenced_bytes", s.referenced_bytes}};
  if (collected) {
    j["packs_compacted"] = s.packs_compacted;
    j["bytes_reclaimed"] = s.bytes_reclaimed;
  }
  return j;
}

}  // namespace

ApiResponse Api::Stats(const ApiCall& c) {
  if (auto info = store_->GetDatabase(c.db); !info.ok()) return ApiResponse::Error(info.status());
  Result<ChunkStats> s = GetChunkStats(store_, c.db);
  if (!s.ok()) return ApiResponse::Error(s.status());
  return ApiResponse::Json(200, ChunkStatsJson(*s, false).dump());
}

ApiResponse Api::CollectGarbage(const ApiCall& c) {
  if (auto info = store_->GetDatabase(c.db); !info.ok()) return ApiResponse::Error(info.status());
  Result<ChunkStats> s = syncline::CollectGarbage(store_, c.db, GcOptions{0});
  if (!s.ok()) return ApiResponse::Error(s.status());
  return ApiResponse::Json(200, ChunkStatsJson(*s, true).dump());
}

ApiResponse Api::Changes(const ApiCall& c) {
  const std::string& db = c.db;
  auto since = IntParam(c.target, "since", 0, 0, INT64_MAX);
  auto limit = IntParam(c.target, "limit", 1000, 1, 10000);
  auto wait = IntParam(c.target, "wait", 0, 0, 3600);
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
  // How far the feed goes beyond this page: a follower's lag.
  if (auto info = store_->GetDatabase(db); info.ok()) {
    out["latest_etag"] = std::max(info->last_etag, page->last_etag);
  }
  return ApiResponse::Json(200, out.dump());
}

}  // namespace syncline
