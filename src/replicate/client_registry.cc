#include "replicate/client_registry.h"

#include "util/json_reader.h"
#include "util/uuid.h"

namespace syncline {

namespace {

constexpr size_t kMaxPlatformField = 256;
constexpr int64_t kLastSeenResolutionMicros = 10'000'000;  // refreshed at most every 10 s

Result<Json> CheckPlatform(const Json& platform) {
  if (platform.is_null()) return Json::object();
  if (!platform.is_object()) return Status::InvalidArgument("'platform' must be a JSON object");
  Json out = Json::object();
  for (const char* field : {"name", "version", "device"}) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string v, JsonStringOr(platform, field, ""));
    if (v.size() > kMaxPlatformField) {
      return Status::InvalidArgument("platform '" + std::string(field) + "' is longer than " +
                                     std::to_string(kMaxPlatformField) + " bytes");
    }
    if (!v.empty()) out[field] = v;
  }
  return out;
}

}  // namespace

Result<ClientRecord> RegisterClient(Store* store, Env* env, const std::string& db,
                                    const std::string& user, const Json& platform) {
  SYNCLINE_ASSIGN_OR_RETURN(Json p, CheckPlatform(platform));
  int64_t now = env->clock->NowMicros();
  ClientRecord c{NewUuid(env->random), user, DumpJson(p), now, now};
  SYNCLINE_RETURN_IF_ERROR(store->PutClient(db, c));
  return c;
}

Result<ClientRecord> FindClient(Store* store, Env* env, const std::string& db,
                                const std::string& client_id, const std::string& user,
                                bool any_user) {
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<ClientRecord> c, store->GetClient(db, client_id));
  if (!c) {
    return Status::UnknownClient("client '" + client_id +
                                 "' is not registered here: reset and register again");
  }
  if (!any_user && c->user != user) {
    return Status::PermissionDenied("client '" + client_id + "' belongs to another user");
  }
  int64_t now = env->clock->NowMicros();
  if (now - c->last_seen_at >= kLastSeenResolutionMicros) {
    c->last_seen_at = now;
    SYNCLINE_RETURN_IF_ERROR(store->PutClient(db, *c));
  }
  return *c;
}

Status RecordPull(Store* store, Env* env, const std::string& db, const std::string& client_id,
                  const std::string& collection, const std::string& cursor,
                  const PullSelection& selection, int64_t pending_operations) {
  ClientCollectionRecord r{client_id, collection, cursor,
                           selection.filter.is_null() ? "" : DumpJson(selection.filter),
                           selection.fields.empty() ? "" : DumpJson(selection.fields),
                           env->clock->NowMicros(), pending_operations};
  return store->PutClientCollection(db, r);
}

Result<Json> ClientJson(Store* store, const std::string& db, const ClientRecord& c) {
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<ClientCollectionRecord> cols,
                            store->ListClientCollections(db, c.client_id));
  Json collections = Json::array();
  for (const ClientCollectionRecord& r : cols) {
    Result<ClientCursor> cursor = DecodeCursor(r.cursor);
    collections.push_back({{"collection", r.collection},
                           {"etag", cursor.ok() ? cursor->etag : 0},
                           {"filter", r.filter.empty() ? Json() : ParseStoredJson(r.filter)},
                           {"fields", r.fields.empty() ? Json() : ParseStoredJson(r.fields)},
                           {"updated_at", r.updated_at},
                           {"pending_operations", r.pending_ops >= 0 ? Json(r.pending_ops) : Json()}});
  }
  return Json{{"client_id", c.client_id},
              {"user", c.user},
              {"platform", ParseStoredJson(c.platform)},
              {"created_at", c.created_at},
              {"last_seen_at", c.last_seen_at},
              {"collections", std::move(collections)}};
}

}  // namespace syncline
