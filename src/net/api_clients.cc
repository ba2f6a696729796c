// The client protocol over the API (docs/API.md, "Client sync"): registration, pulls of sync
// pages, and pushes of operation batches. The logic is in replicate/client_*.h.
#include "net/api.h"
#include "replicate/client_pull.h"
#include "replicate/client_push.h"
#include "replicate/client_registry.h"
#include "util/json_reader.h"
#include "util/log.h"
#include "util/name.h"

namespace syncline {

using api_internal::BodyText;
using api_internal::CompressIfAccepted;
using api_internal::JsonAnswer;
using api_internal::ObjectBody;

namespace {

const char* ActionName(PullAction a) {
  switch (a) {
    case PullAction::kPut: return "put";
    case PullAction::kDelete: return "delete";
    case PullAction::kGone: return "gone";
    case PullAction::kSkip: break;
  }
  return "skip";
}

// `changes` as a JSON array, appended to *out.
void AppendChanges(const std::vector<PullChange>& changes, std::string* out) {
  *out += '[';
  for (size_t i = 0; i < changes.size(); ++i) {
    const PullChange& ch = changes[i];
    if (i) *out += ',';
    *out += "{\"key\":" + JsonQuote(ch.key) + ",\"etag\":" + std::to_string(ch.etag) +
            ",\"op\":\"" + ActionName(ch.action) + "\"";
    if (ch.action == PullAction::kPut) {
      *out += ",\"document\":";
      *out += ch.document_text.empty() ? DumpJson(ch.document) : ch.document_text;
    }
    *out += '}';
  }
  *out += ']';
}

Result<ClientPullRequest> ReadPullRequest(const Json& body) {
  ClientPullRequest r;
  SYNCLINE_ASSIGN_OR_RETURN(r.collection, JsonString(body, "collection"));
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(r.collection));
  SYNCLINE_ASSIGN_OR_RETURN(r.cursor, JsonStringOr(body, "cursor", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.limit, JsonIntOr(body, "limit", kDefaultPullLimit));
  SYNCLINE_ASSIGN_OR_RETURN(r.with_total, JsonBoolOr(body, "with_total", false));
  SYNCLINE_ASSIGN_OR_RETURN(r.pending_operations, JsonIntOr(body, "pending_operations", -1));
  if (r.pending_operations < -1) {
    return Status::InvalidArgument("'pending_operations' must be a count (0 or more)");
  }
  r.selection.filter = body.contains("filter") ? body["filter"] : Json();
  if (body.contains("fields") && !body["fields"].is_null()) {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* fields, JsonArrayField(body, "fields"));
    for (const Json& f : *fields) {
      SYNCLINE_ASSIGN_OR_RETURN(std::string name, JsonAsString(f, "a field"));
      if (name.empty()) return Status::InvalidArgument("a field path is empty");
      r.selection.fields.push_back(std::move(name));
    }
  }
  return r;
}

}  // namespace

Result<ClientRecord> Api::CallingClient(const ApiCall& c) {
  return FindClient(store_, env_, c.db, c.rest, c.principal.user, c.principal.admin_key);
}

ApiResponse Api::RegisterClient(const ApiCall& c) {
  if (auto info = store_->GetDatabase(c.db); !info.ok()) return ApiResponse::Error(info.status());
  Result<Json> body = c.req.body.empty() ? Result<Json>(Json::object())
                                         : ParseJsonObject(c.req.body);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Json platform = body->contains("platform") ? (*body)["platform"] : Json();
  Result<ClientRecord> client =
      syncline::RegisterClient(store_, env_, c.db, c.principal.user, platform);
  if (!client.ok()) return ApiResponse::Error(client.status());
  return JsonAnswer({{"client_id", client->client_id},
                     {"protocol", kClientProtocolVersion},
                     {"user", client->user},
                     {"server_time", env_->clock->NowMicros()}},
                    201);
}

ApiResponse Api::ListClients(const ApiCall& c) {
  Result<std::vector<ClientRecord>> clients = store_->ListClients(c.db);
  if (!clients.ok()) return ApiResponse::Error(clients.status());
  Json out = Json::array();
  for (const ClientRecord& r : *clients) {
    Result<Json> j = ClientJson(store_, c.db, r);
    if (!j.ok()) return ApiResponse::Error(j.status());
    out.push_back(std::move(*j));
  }
  return JsonAnswer(out);
}

ApiResponse Api::RemoveClient(const ApiCall& c) {
  if (Status s = store_->DeleteClient(c.db, c.rest); !s.ok()) return ApiResponse::Error(s);
  return JsonAnswer({{"client_id", c.rest}, {"deleted", true}});
}

ApiResponse Api::ServeClientPull(const ApiCall& c) {
  Result<Json> body = ObjectBody(c.req);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<ClientPullRequest> req = ReadPullRequest(*body);
  if (!req.ok()) return ApiResponse::Error(req.status());
  Result<ClientRecord> client = CallingClient(c);
  if (!client.ok()) return ApiResponse::Error(client.status());
  Result<ClientPullPage> page = Pull(store_, c.db, *req);
  if (!page.ok()) return ApiResponse::Error(page.status());
  // The cursor sent is the one the client has applied: what `clients ls` shows.
  if (Status s = RecordPull(store_, env_, c.db, client->client_id, req->collection, req->cursor,
                            req->selection, req->pending_operations);
      !s.ok()) {
    return ApiResponse::Error(s);
  }
  Json out = {{"collection", req->collection},
              {"processed_count", page->changes.size()},
              {"cursor", page->cursor},
              {"more", page->more},
              {"schema_version", page->schema_version},
              {"server_time", env_->clock->NowMicros()}};
  if (page->total) out["total_count"] = *page->total;
  // The changes are written out, not built: stored documents go as the text they are.
  std::string text = DumpJson(out);
  text.pop_back();  // the closing brace of a non-empty object
  text += ",\"changes\":";
  AppendChanges(page->changes, &text);
  text += '}';
  ApiResponse r = ApiResponse::Json(200, std::move(text));
  CompressIfAccepted(c.req, &r);
  return r;
}

ApiResponse Api::ServeClientPush(const ApiCall& c) {
  std::string plain;
  Result<std::string_view> body = BodyText(c.req, &plain);
  if (!body.ok()) return ApiResponse::Error(body.status());
  Result<std::vector<PushOp>> ops = ParsePushOps(*body);
  if (!ops.ok()) return ApiResponse::Error(ops.status());
  Result<ClientRecord> client = CallingClient(c);
  if (!client.ok()) return ApiResponse::Error(client.status());
  // An update from a client that pulls some fields only replaces those.
  std::map<std::string, std::vector<std::string>> fields;
  Result<std::vector<ClientCollectionRecord>> cols =
      store_->ListClientCollections(c.db, client->client_id);
  if (!cols.ok()) return ApiResponse::Error(cols.status());
  for (const ClientCollectionRecord& r : *cols) {
    if (r.fields.empty()) continue;
    for (const Json& f : ParseStoredJson(r.fields)) {
      Result<std::string> name = JsonAsString(f, "a field");
      if (name.ok()) fields[r.collection].push_back(*name);
    }
  }
  Result<std::vector<std::string>> results =
      ApplyPush(store_, &writer_, c.db, client->client_id, *ops, fields);
  if (!results.ok()) return ApiResponse::Error(results.status());
  // The results are JSON texts already: the answer is spliced, not built and dumped again.
  std::string answer = "{\"results\":[";
  for (size_t i = 0; i < results->size(); ++i) {
    if (i) answer += ',';
    answer += (*results)[i];
  }
  answer += "],\"server_time\":" + std::to_string(env_->clock->NowMicros()) + "}";
  ApiResponse r = ApiResponse::Json(200, std::move(answer));
  CompressIfAccepted(c.req, &r);
  return r;
}

namespace {

// A refused client sync, as one log line with the client and the error code of the answer.
void LogClientRefusal(const char* event, const ApiCall& c, const ApiResponse& r) {
  if (r.status < 400) return;
  Json body = ParseStoredJson(r.body);
  std::string code = body.is_object() && body.contains("error") && body["error"].is_string()
                         ? body["error"].get<std::string>() : "unknown";  // checked
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>() : "";  // checked
  Log(r.status >= 500 ? LogLevel::kError : LogLevel::kWarn, event,
      {{"db", c.db}, {"client", c.rest}, {"user", c.principal.user}, {"status", r.status},
       {"error_code", code}},
      message);
}

}  // namespace

ApiResponse Api::ClientPull(const ApiCall& c) {
  ApiResponse r = ServeClientPull(c);
  LogClientRefusal("client.pull", c, r);
  return r;
}

ApiResponse Api::ClientPush(const ApiCall& c) {
  ApiResponse r = ServeClientPush(c);
  LogClientRefusal("client.push", c, r);
  return r;
}

}  // namespace syncline
