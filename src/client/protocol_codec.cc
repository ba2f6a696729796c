#include "client/protocol_codec.h"

#include "util/json_reader.h"

namespace syncline {
namespace {

// A decoding failure of a server's answer is the server breaking the protocol.
Status Broken(const Status& s, const char* what) {
  return Status::ProtocolError(std::string("malformed ") + what + " from the server: " +
                               s.message());
}

Result<ServerChange> DecodeChange(const Json& j) {
  ServerChange c;
  SYNCLINE_ASSIGN_OR_RETURN(c.key, JsonString(j, "key"));
  SYNCLINE_ASSIGN_OR_RETURN(c.etag, JsonInt(j, "etag"));
  SYNCLINE_ASSIGN_OR_RETURN(std::string op, JsonString(j, "op"));
  if (op == "put") {
    c.op = ServerChange::Op::kPut;
    SYNCLINE_ASSIGN_OR_RETURN(const Json* doc, JsonObjectField(j, "document"));
    if (!doc->is_object()) return Status::InvalidArgument("'document' must be an object");
    c.document = *doc;
  } else if (op == "delete") {
    c.op = ServerChange::Op::kDelete;
  } else if (op == "gone") {
    c.op = ServerChange::Op::kGone;
  } else {
    return Status::InvalidArgument("unknown change op '" + op + "'");
  }
  return c;
}

Result<PushResult> DecodeResult(const Json& j) {
  PushResult r;
  SYNCLINE_ASSIGN_OR_RETURN(r.op_id, JsonString(j, "op_id"));
  SYNCLINE_ASSIGN_OR_RETURN(std::string status, JsonString(j, "status"));
  if (status == "applied") {
    r.kind = PushResult::Kind::kApplied;
    SYNCLINE_ASSIGN_OR_RETURN(r.etag, JsonInt(j, "etag"));
    return r;
  }
  SYNCLINE_ASSIGN_OR_RETURN(r.server_etag, JsonIntOr(j, "server_etag", 0));
  if (status == "conflict") {
    r.kind = PushResult::Kind::kConflict;
    SYNCLINE_ASSIGN_OR_RETURN(r.server_deleted, JsonBool(j, "server_deleted"));
    if (!r.server_deleted) {
      SYNCLINE_ASSIGN_OR_RETURN(const Json* doc, JsonObjectField(j, "server_document"));
      if (!doc->is_object()) return Status::InvalidArgument("'server_document' must be an object");
      r.server_document = *doc;
    }
    return r;
  }
  if (status != "error") return Status::InvalidArgument("unknown result status '" + status + "'");
  r.kind = PushResult::Kind::kError;
  SYNCLINE_ASSIGN_OR_RETURN(r.error, JsonString(j, "error"));
  SYNCLINE_ASSIGN_OR_RETURN(r.code, JsonStringOr(j, "code", ""));
  SYNCLINE_ASSIGN_OR_RETURN(r.message, JsonStringOr(j, "message", ""));
  const Json& attrs = JsonField(j, "attributes");
  if (attrs.is_object()) r.server_document = attrs;
  return r;
}

}  // namespace

Json EncodeRegistration(const Platform& p) {
  Json platform = Json::object();
  if (!p.name.empty()) platform["name"] = p.name;
  if (!p.version.empty()) platform["version"] = p.version;
  if (!p.device.empty()) platform["device"] = p.device;
  return {{"platform", platform}};
}

Result<Registration> DecodeRegistration(const Json& answer) {
  Registration r;
  auto id = JsonString(answer, "client_id");
  if (!id.ok()) return Broken(id.status(), "registration");
  r.client_id = *id;
  auto protocol = JsonInt(answer, "protocol");
  if (!protocol.ok()) return Broken(protocol.status(), "registration");
  r.protocol = static_cast<int>(*protocol);
  r.server_time = JsonNumber(answer, "server_time");
  return r;
}

Json EncodePullRequest(const PullRequest& r) {
  Json j = {{"collection", r.collection}, {"cursor", r.cursor}, {"limit", r.limit},
            {"with_total", r.with_total}};
  if (!r.filter.is_null()) j["filter"] = r.filter;
  if (!r.fields.empty()) j["fields"] = r.fields;
  if (r.pending_operations >= 0) j["pending_operations"] = r.pending_operations;
  return j;
}

Result<PullPage> DecodePullPage(const Json& answer) {
  PullPage page;
  auto changes = JsonArrayField(answer, "changes");
  if (!changes.ok()) return Broken(changes.status(), "sync page");
  page.changes.reserve((*changes)->size());
  for (const Json& c : **changes) {
    Result<ServerChange> change = DecodeChange(c);
    if (!change.ok()) return Broken(change.status(), "change");
    page.changes.push_back(std::move(*change));
  }
  auto cursor = JsonString(answer, "cursor");
  if (!cursor.ok()) return Broken(cursor.status(), "sync page");
  page.cursor = std::move(*cursor);
  auto more = JsonBool(answer, "more");
  if (!more.ok()) return Broken(more.status(), "sync page");
  page.more = *more;
  page.processed_count = JsonNumber(answer, "processed_count",
                                    static_cast<int64_t>(page.changes.size()));
  page.total_count = JsonNumber(answer, "total_count", -1);
  page.schema_version = JsonNumber(answer, "schema_version");
  page.server_time = JsonNumber(answer, "server_time");
  return page;
}

std::string EncodePush(const std::vector<PushOperation>& ops) {
  // Written out directly: a batch of thousands of documents builds no second JSON tree.
  std::string out = "{\"operations\":[";
  for (size_t i = 0; i < ops.size(); ++i) {
    const PushOperation& op = ops[i];
    if (i) out += ',';
    out += "{\"op_id\":" + JsonQuote(op.op_id) + ",\"op\":" + JsonQuote(op.op) +
           ",\"collection\":" + JsonQuote(op.collection) + ",\"key\":" + JsonQuote(op.key);
    if (op.op != "create") out += ",\"base_etag\":" + std::to_string(op.base_etag);
    if (op.document) out += ",\"document\":" + DumpJson(*op.document);
    out += '}';
  }
  out += "]}";
  return out;
}

Result<std::vector<PushResult>> DecodePushResults(const Json& answer,
                                                  const std::vector<PushOperation>& ops) {
  auto results = JsonArrayField(answer, "results");
  if (!results.ok()) return Broken(results.status(), "push answer");
  if ((*results)->size() != ops.size()) {
    return Status::ProtocolError("the server answered " + std::to_string((*results)->size()) +
                                 " results for " + std::to_string(ops.size()) + " operations");
  }
  std::vector<PushResult> out;
  out.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    Result<PushResult> r = DecodeResult((**results)[i]);
    if (!r.ok()) return Broken(r.status(), "push result");
    if (r->op_id != ops[i].op_id) {
      return Status::ProtocolError("push results are not in the order of the operations");
    }
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace syncline
