// Api: sync endpoints. Destinations and runs for users of the source; monitoring; conflicts on
// the destination; and /sync/proto/{op}, the protocol a source's Pusher speaks to our Receiver.
#include <algorithm>

#include "net/api.h"
#include "sync/conflicts.h"
#include "sync/item_json.h"
#include "util/json_reader.h"
#include "util/log.h"
#include "util/name.h"
#include "util/zstd.h"

namespace syncline {

using api_internal::IntParam;

namespace {

ApiResponse JsonOk(const Json& j, int status = 200) { return ApiResponse::Json(status, DumpJson(j)); }

// The item a request names: ?name=N (a file) or ?name=K&collection=C (a document); or the
// same fields of a JSON body.
Result<ItemRef> NamedItem(const std::string& name, const std::string& collection) {
  if (name.empty()) return Status::InvalidArgument("'name' is required");
  Json j = {{"kind", collection.empty() ? "file" : "document"}, {"key", name}};
  if (!collection.empty()) j["collection"] = collection;
  return ItemRefFromJson(j);
}

Result<Json> JsonBody(const ApiRequest& req) {
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(req.body));
  if (!j.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return j;
}

std::string StringField(const Json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";  // checked
}

// {"items": page, "total", "start"} from a whole list, for ?start=&page_size=.
Result<Json> Page(const Target& t, const std::vector<Json>& all) {
  SYNCLINE_ASSIGN_OR_RETURN(int64_t start, IntParam(t, "start", 0, 0, INT32_MAX));
  SYNCLINE_ASSIGN_OR_RETURN(int64_t size, IntParam(t, "page_size", 25, 1, 1000));
  Json items = Json::array();
  for (size_t i = static_cast<size_t>(start); i < all.size() && items.size() < static_cast<size_t>(size); ++i) {
    items.push_back(all[i]);
  }
  return Json{{"items", items}, {"total", all.size()}, {"start", start}};
}

Json ConflictSummary(const Conflict& c) {
  return {{"name", c.ref.key},
          {"kind", ItemKindName(c.ref.kind)},
          {"collection", c.ref.kind == ItemKind::kDocument ? Json(c.ref.collection) : Json()},
          {"remote_url", c.remote_url},
          {"remote_node", c.remote_node},
          {"local_version", ParseStoredJson(c.local_version)},
          {"remote_version", ParseStoredJson(c.remote_version)},
          {"created_at", c.created_at}};
}

// A report this node received, as JSON; one that settled as a conflict also says whether that
// conflict is still open ("conflict_open"): a resolve since (or a newer conflict replacing
// it) closes it, so a listing does not keep calling a settled item conflicted.
Result<Json> IncomingReportJson(Store* store, const std::string& db, const SyncReport& r) {
  Json j = SyncReportToJson(r);
  if (r.error.code() != Status::Code::kConflicted) return j;
  SYNCLINE_ASSIGN_OR_RETURN(std::optional<Conflict> open, FindConflict(store, db, r.ref));
  j["conflict_open"] = open.has_value() && open->created_at <= r.finished_at;
  return j;
}

}  // namespace

Status Api::CheckSyncDatabase(const std::string& db) const {
  if (!replicator_) return Status::Unavailable("sync is not running");
  return store_->GetDatabase(db).status();
}

Api::DestinationHealth Api::HealthOf(const std::string& db, const Destination& d, int64_t now) {
  DestinationHealth h;
  if (!replicator_) return h;
  h.worker = replicator_->StateOf(db, d.url);
  for (const ActivityEntry& e : replicator_->Pending(db)) h.queued += e.destination_url == d.url;
  for (const ActivityEntry& e : replicator_->Active(db)) h.in_flight += e.destination_url == d.url;
  // What it has: what it said after the last run, or what an idle worker walked through (the
  // feed past it may hold only items that came from there).
  int64_t through = std::max(d.last_etag, h.worker.idle_at_etag);
  if (Result<Store::FeedLag> lag = store_->LagAfter(db, through, kMaxLagCount); lag.ok()) {
    h.lag_items = lag->changes;
    if (lag->changes > 0) {
      h.lag_seconds = static_cast<double>(std::max<int64_t>(0, now - lag->oldest_updated_at)) / 1e6;
    }
  }
  for (const RunCounters& c : replicator_->Counters()) {
    if (c.db != db || c.url != d.url || c.last_micros == 0) continue;
    h.rate_bytes_per_second = static_cast<double>(c.last_bytes) * 1e6 / static_cast<double>(c.last_micros);
  }
  return h;
}

ApiResponse Api::ListDestinations(const ApiCall& c) {
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto dests = syncline::ListDestinations(store_, c.db);
  if (!dests.ok()) return ApiResponse::Error(dests.status());
  int64_t now = env_->clock->NowMicros();
  Json out = Json::array();
  for (const auto& d : *dests) {
    Json j = DestinationToJson(d, true);
    DestinationHealth h = HealthOf(c.db, d, now);
    j["worker"] = {{"state", h.worker.state}, {"idle_at_etag", h.worker.idle_at_etag}};
    j["queued"] = h.queued;
    j["in_flight"] = h.in_flight;
    j["lag_items"] = h.lag_items;
    j["lag_seconds"] = h.lag_seconds;
    j["rate_bytes_per_second"] = h.rate_bytes_per_second;
    out.push_back(std::move(j));
  }
  return JsonOk(out);
}

ApiResponse Api::RemoveDestination(const ApiCall& c) {
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto url = NormalizeNodeUrl(c.Query("url"));
  if (!url.ok()) return ApiResponse::Error(url.status());
  if (Status s = syncline::RemoveDestination(store_, c.db, *url); !s.ok()) {
    return ApiResponse::Error(s);
  }
  (void)replicator_->DestinationsChanged(c.db);
  Announce("destination", c.db, {{"destination", *url}, {"action", "removed"}});
  return JsonOk({{"url", *url}, {"deleted", true}});
}

ApiResponse Api::AddDestination(const ApiCall& c) {
  // {"url", "remote_db" (default: this database's name), "remote_key", "enabled"}; replaces
  // a destination of the same URL.
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto body = JsonBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  auto url = NormalizeNodeUrl(StringField(*body, "url"));
  if (!url.ok()) return ApiResponse::Error(url.status());
  Destination d;
  d.url = *url;
  d.remote_db = StringField(*body, "remote_db");
  if (d.remote_db.empty()) d.remote_db = c.db;
  if (Status s = ValidateDatabaseName(d.remote_db); !s.ok()) return ApiResponse::Error(s);
  d.remote_key = StringField(*body, "remote_key");
  auto enabled = JsonBoolOr(*body, "enabled", true);
  if (!enabled.ok()) return ApiResponse::Error(enabled.status());
  d.enabled = *enabled;
  return SaveDestination(c.db, d, 201);
}

ApiResponse Api::UpdateDestination(const ApiCall& c) {
  // {"url", "enabled"}
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto body = JsonBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  auto url = NormalizeNodeUrl(StringField(*body, "url"));
  if (!url.ok()) return ApiResponse::Error(url.status());
  auto stored = GetDestination(store_, c.db, *url);
  if (!stored.ok()) return ApiResponse::Error(stored.status());
  auto enabled = JsonBool(*body, "enabled");
  if (!enabled.ok()) return ApiResponse::Error(enabled.status());
  Destination d = *stored;
  d.enabled = *enabled;
  return SaveDestination(c.db, d, 200);
}

ApiResponse Api::SaveDestination(const std::string& db, const Destination& d, int status) {
  if (Status s = PutDestination(store_, db, d); !s.ok()) return ApiResponse::Error(s);
  if (Status s = replicator_->DestinationsChanged(db); !s.ok()) return ApiResponse::Error(s);
  Announce("destination", db, {{"destination", d.url}, {"action", "saved"}, {"enabled", d.enabled}});
  return JsonOk(DestinationToJson(d, true), status);
}

ApiResponse Api::SyncRun(const ApiCall& c) {
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  bool force = c.Query("force") == "1" || c.Query("force") == "true";
  auto runs = replicator_->RunNow(c.db, force);
  if (!runs.ok()) return ApiResponse::Error(runs.status());
  Json out = Json::array();
  for (const auto& r : *runs) out.push_back(DestinationRunToJson(r));
  return JsonOk(out);
}

ApiResponse Api::SyncStart(const ApiCall& c) {
  // {"name", "collection"?, "url", "remote_db"?, "remote_key"?}
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto body = JsonBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  auto ref = NamedItem(StringField(*body, "name"), StringField(*body, "collection"));
  if (!ref.ok()) return ApiResponse::Error(ref.status());
  auto url = NormalizeNodeUrl(StringField(*body, "url"));
  if (!url.ok()) return ApiResponse::Error(url.status());
  Destination d;
  auto configured = GetDestination(store_, c.db, *url);
  if (configured.ok()) d = *configured;
  d.url = *url;
  if (!StringField(*body, "remote_db").empty()) d.remote_db = StringField(*body, "remote_db");
  if (d.remote_db.empty()) d.remote_db = c.db;
  if (!StringField(*body, "remote_key").empty()) d.remote_key = StringField(*body, "remote_key");
  if (Status s = ValidateDatabaseName(d.remote_db); !s.ok()) return ApiResponse::Error(s);
  auto report = replicator_->PushItem(c.db, d, *ref);
  if (!report.ok()) return ApiResponse::Error(report.status());
  return JsonOk(SyncReportToJson(*report));
}

ApiResponse Api::SyncActive(const ApiCall& c) { return SyncActivity(c, /*active=*/true); }

ApiResponse Api::SyncPending(const ApiCall& c) { return SyncActivity(c, /*active=*/false); }

ApiResponse Api::SyncActivity(const ApiCall& c, bool active) {
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  std::vector<Json> all;
  for (const auto& e : active ? replicator_->Active(c.db) : replicator_->Pending(c.db)) {
    all.push_back(ActivityEntryToJson(e));
  }
  auto page = Page(c.target, all);
  if (!page.ok()) return ApiResponse::Error(page.status());
  return JsonOk(*page);
}

ApiResponse Api::SyncFinished(const ApiCall& c) {
  // Paged in the store, newest first: the cost of a page, not of every report received.
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto start = IntParam(c.target, "start", 0, 0, INT32_MAX);
  auto size = IntParam(c.target, "page_size", 25, 1, 1000);
  if (!start.ok()) return ApiResponse::Error(start.status());
  if (!size.ok()) return ApiResponse::Error(size.status());
  auto page = store_->ListReports(c.db, ReportDirection::kIncoming, *start, *size);
  if (!page.ok()) return ApiResponse::Error(page.status());
  Json items = Json::array();
  for (const ReportRecord& r : page->reports) {
    auto report = SyncReportFromRecord(r);
    if (!report.ok()) return ApiResponse::Error(report.status());
    auto j = IncomingReportJson(store_, c.db, *report);
    if (!j.ok()) return ApiResponse::Error(j.status());
    items.push_back(std::move(*j));
  }
  return JsonOk({{"items", items}, {"total", page->total}, {"start", *start}});
}

ApiResponse Api::SyncStatus(const ApiCall& c) {
  if (Status s = CheckSyncDatabase(c.db); !s.ok()) return ApiResponse::Error(s);
  auto ref = NamedItem(c.Query("name"), c.Query("collection"));
  if (!ref.ok()) return ApiResponse::Error(ref.status());
  // The latest report for the item, pushed from here or received here.
  std::optional<ReportRecord> best;
  bool incoming = false;
  for (ReportDirection dir : {ReportDirection::kOutgoing, ReportDirection::kIncoming}) {
    auto r = store_->GetReport(c.db, dir, *ref);
    if (!r.ok()) return ApiResponse::Error(r.status());
    if (*r && (!best || (*r)->finished_at > best->finished_at)) {
      best = std::move(*r);
      incoming = dir == ReportDirection::kIncoming;
    }
  }
  if (!best) {
    return ApiResponse::Error(Status::NotFound("no synchronization report for '" + ref->key + "'"));
  }
  auto report = SyncReportFromRecord(*best);
  if (!report.ok()) return ApiResponse::Error(report.status());
  if (!incoming) return JsonOk(SyncReportToJson(*report));
  auto j = IncomingReportJson(store_, c.db, *report);
  if (!j.ok()) return ApiResponse::Error(j.status());
  return JsonOk(*j);
}

ApiResponse Api::SyncProtocol(const ApiCall& c) {
  const ApiRequest& req = c.req;
  const std::string& db = c.db;
  if (!receiver_) return ApiResponse::Error(Status::Unavailable("sync is not running"));
  std::optional<ProtoOp> proto = ParseProtoOp(c.rest);
  if (!proto) return ApiResponse::Error(Status::NotFound("no sync operation '" + c.rest + "'"));
  Result<Json> out = [&]() -> Result<Json> {
    if (IsBinaryOp(*proto)) return receiver_->HandleBinary(db, *proto, req.body);
    std::string plain;
    std::string_view text = req.body;
    if (const std::string* enc = req.Header("content-encoding"); enc && *enc == "zstd") {
      SYNCLINE_ASSIGN_OR_RETURN(plain, ZstdDecompress(req.body, kMaxRequestBodyBytes));
      text = plain;
    }
    SYNCLINE_ASSIGN_OR_RETURN(Json body, ParseJson(text));
    return receiver_->Handle(db, *proto, body);
  }();
  if (!out.ok()) return ApiResponse::Error(out.status());
  ApiResponse r = JsonOk(*out);
  api_internal::CompressIfAccepted(req, &r);
  return r;
}

namespace {

// A binary sync body, gathered (it is bounded) and handed to the receiver at the end.
class SyncBodyUpload : public Upload {
 public:
  SyncBodyUpload(Receiver* receiver, std::string db, ProtoOp op, size_t expected,
                 BudgetReservation reservation)
      : receiver_(receiver), db_(std::move(db)), op_(op), limit_(expected),
        reservation_(std::move(reservation)) {
    body_.reserve(expected);
  }
  Status Write(std::string_view data) override {
    if (body_.size() + data.size() > limit_) {
      return Status::TooLarge("sync body is larger than " + std::to_string(limit_) + " bytes");
    }
    body_.append(data);
    return Status::OK();
  }
  ApiResponse Finish() override {
    Result<Json> out = receiver_->HandleBinary(db_, op_, body_);
    if (!out.ok()) return ApiResponse::Error(out.status());
    return ApiResponse::Json(200, out->dump());
  }

 private:
  Receiver* receiver_;
  std::string db_;
  ProtoOp op_;
  size_t limit_;                   // the most body_ may hold: what was reserved for it
  BudgetReservation reservation_;
  std::string body_;
};

}  // namespace

Result<std::unique_ptr<Upload>> Api::BeginSyncUpload(const ApiCall& c) {
  const ApiRequest& req = c.req;
  const std::string& db = c.db;
  const std::string op = c.target.segments.back();  // the route names it literally
  if (!receiver_) return Status::Unavailable("sync is not running");
  // The body is held whole: it may take at most its declared length (or the limit, if it
  // has none) from the shared budget, and grows no further.
  size_t expected = kMaxRequestBodyBytes;
  if (const std::string* len = req.Header("content-length")) {
    expected = std::min<size_t>(std::strtoull(len->c_str(), nullptr, 10), kMaxRequestBodyBytes);
  }
  BudgetReservation reservation;
  if (body_budget_) {
    if (!body_budget_->TryReserve(expected)) {
      return Status::Unavailable("the server is busy with other requests' bodies: retry shortly");
    }
    reservation = BudgetReservation(body_budget_, expected);
  }
  std::optional<ProtoOp> proto = ParseProtoOp(op);
  if (!proto || !IsBinaryOp(*proto)) return Status::NotFound("no binary sync operation '" + op + "'");
  return std::unique_ptr<Upload>(
      new SyncBodyUpload(receiver_, db, *proto, expected, std::move(reservation)));
}

ApiResponse Api::ListConflicts(const ApiCall& c) {
  auto conflicts = syncline::ListConflicts(store_, c.db);
  if (!conflicts.ok()) return ApiResponse::Error(conflicts.status());
  Json out = Json::array();
  for (const auto& conflict : *conflicts) out.push_back(ConflictSummary(conflict));
  return JsonOk(out);
}

ApiResponse Api::GetConflict(const ApiCall& c) {
  auto ref = NamedItem(c.Query("name"), c.Query("collection"));
  if (!ref.ok()) return ApiResponse::Error(ref.status());
  auto conflict = FindConflict(store_, c.db, *ref);
  if (!conflict.ok()) return ApiResponse::Error(conflict.status());
  if (!*conflict) return ApiResponse::Error(Status::NotFound("'" + ref->key + "' has no conflict"));
  auto local = store_->GetItem(c.db, ref->kind, ref->collection, ref->key);
  if (!local.ok()) return ApiResponse::Error(local.status());
  Json j = ConflictSummary(**conflict);
  j["local_item"] = ItemToJson(*local);
  j["remote_item"] = ItemToJson((*conflict)->remote_item);
  j["local_item"].erase("manifest");
  j["remote_item"].erase("manifest");
  j["local_etag"] = local->etag;  // to resolve with if_match: nothing changed since shown
  return JsonOk(j);
}

ApiResponse Api::ResolveConflict(const ApiCall& c) {
  // {"name", "collection"?, "keep": "remote" | "current", "if_match"?: local etag}
  auto body = JsonBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  auto ref = NamedItem(StringField(*body, "name"), StringField(*body, "collection"));
  if (!ref.ok()) return ApiResponse::Error(ref.status());
  std::string keep = StringField(*body, "keep");
  if (keep != "remote" && keep != "current") {
    return ApiResponse::Error(Status::InvalidArgument("'keep' must be \"remote\" or \"current\""));
  }
  std::optional<int64_t> if_match;
  if (body->contains("if_match")) {
    auto etag = JsonInt(*body, "if_match");
    if (!etag.ok()) return ApiResponse::Error(etag.status());
    if_match = *etag;
  }
  auto res = syncline::ResolveConflict(store_, env_->clock, c.db, *ref,
                                       keep == "remote" ? KeepVersion::kRemote : KeepVersion::kCurrent,
                                       if_match);
  if (!res.ok()) return ApiResponse::Error(res.status());
  const Item& kept = res->kept;
  const Item& gone = res->discarded;
  Announce("conflict", c.db,
           {{"action", "resolved"}, {"kind", ItemKindName(kept.kind)}, {"name", kept.key},
            {"collection", kept.kind == ItemKind::kDocument ? Json(kept.collection) : Json()},
            {"kept", keep}});
  LogStatus(LogLevel::kInfo, "conflict.resolve",
            {{"db", c.db}, {"kind", ItemKindName(kept.kind)}, {"collection", kept.collection},
             {"name", kept.key}, {"kept", keep}},
            Status::OK());
  // What the resolve threw away, so nobody loses a version without being told.
  Json discarded = {{"side", keep == "remote" ? "current" : "remote"},
                    {"version_vector", ParseStoredJson(gone.version_vector)},
                    {"deleted", gone.deleted},
                    {"updated_at", gone.updated_at}};
  if (keep == "remote") discarded["etag"] = gone.etag;
  return JsonOk({{"name", kept.key},
                 {"collection", kept.kind == ItemKind::kDocument ? Json(kept.collection) : Json()},
                 {"kept", keep},
                 {"etag", kept.etag},
                 {"version_vector", ParseStoredJson(kept.version_vector)},
                 {"discarded", discarded}});
}

}  // namespace syncline
