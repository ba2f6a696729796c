#include "replicate/client_push.h"

#include <simdjson.h>

#include "sync/projection.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

namespace {

namespace sj = simdjson;

// Reads `name` of `o` as a string into *out: InvalidArgument when missing or of another type.
Status ReadString(sj::dom::object o, const char* name, std::string* out) {
  std::string_view v;
  sj::error_code e = o[name].get(v);
  if (e == sj::NO_SUCH_FIELD) return Status::InvalidArgument(std::string("'") + name + "' is missing");
  if (e) return Status::InvalidArgument(std::string("'") + name + "' must be a string");
  out->assign(v);
  return Status::OK();
}

// Reads one operation. Every value is read through simdjson's error codes (no exception).
Result<PushOp> ParseOp(sj::dom::element e) {
  sj::dom::object j;
  if (e.get(j)) return Status::InvalidArgument("an operation must be a JSON object");
  PushOp op;
  SYNCLINE_RETURN_IF_ERROR(ReadString(j, "op_id", &op.op_id));
  if (op.op_id.empty() || op.op_id.size() > 128) {
    return Status::InvalidArgument("'op_id' must be 1 to 128 bytes");
  }
  std::string kind;
  SYNCLINE_RETURN_IF_ERROR(ReadString(j, "op", &kind));
  if (kind == "create") {
    op.kind = PushKind::kCreate;
  } else if (kind == "update") {
    op.kind = PushKind::kUpdate;
  } else if (kind == "delete") {
    op.kind = PushKind::kDelete;
  } else {
    return Status::InvalidArgument("'op' must be create, update or delete, not '" + kind + "'");
  }
  SYNCLINE_RETURN_IF_ERROR(ReadString(j, "collection", &op.collection));
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(op.collection));
  SYNCLINE_RETURN_IF_ERROR(ReadString(j, "key", &op.key));
  SYNCLINE_RETURN_IF_ERROR(ValidateItemName(op.key, "key"));
  sj::dom::element base;
  if (!j["base_etag"].get(base) && !base.is_null()) {
    int64_t etag = 0;
    if (base.get(etag)) return Status::InvalidArgument("'base_etag' must be an integer");
    op.base_etag = etag;
  }
  if (op.kind != PushKind::kDelete) {
    sj::dom::element doc;
    if (j["document"].get(doc)) return Status::InvalidArgument("'document' is missing");
    if (!doc.is_object()) return Status::InvalidArgument("'document' must be an object");
    op.document = sj::minify(doc);
  }
  if (op.kind != PushKind::kCreate && !op.base_etag) {
    return Status::InvalidArgument("an " + kind + " needs the 'base_etag' it was made on");
  }
  return op;
}

// The result of most operations, written out directly: no JSON object is built for it.
std::string Applied(const PushOp& op, int64_t etag) {
  return "{\"op_id\":" + JsonQuote(op.op_id) + ",\"status\":\"applied\",\"etag\":" +
         std::to_string(etag) + "}";
}

Json Conflict(const PushOp& op, const Item& server) {
  bool live = !server.deleted;
  return {{"op_id", op.op_id},
          {"status", "conflict"},
          {"server_etag", server.etag},
          {"server_deleted", !live},
          {"server_document", live ? ParseStoredJson(server.body) : Json()}};
}

Json Error(const PushOp& op, const Status& s, const Item* server) {
  Json j = {{"op_id", op.op_id},
            {"status", "error"},
            {"error", PushErrorType(op.kind)},
            {"code", Status::CodeName(s.code())},
            {"message", s.message()}};
  // What the server holds, so the client can roll an update back.
  if (op.kind == PushKind::kUpdate && server && !server->deleted) {
    j["attributes"] = ParseStoredJson(server->body);
    j["server_etag"] = server->etag;
  }
  return j;
}

// Errors that belong to one operation; any other stops the batch.
bool IsOperationError(const Status& s) {
  switch (s.code()) {
    case Status::Code::kValidationFailed:
    case Status::Code::kConflicted:
    case Status::Code::kPreconditionFailed:
    case Status::Code::kInvalidArgument:
    case Status::Code::kTooLarge:
    case Status::Code::kNotFound:
      return true;
    default:
      return false;
  }
}

// Applies one operation inside `txn`: its result, as JSON text.
Result<std::string> ApplyOne(WriteTransaction& txn, RulesCheck& rules, LocalWriter* writer,
                      const PushOp& op, const std::vector<std::string>* fields) {
  Result<Item> cur = txn.Get(ItemKind::kDocument, op.collection, op.key);
  if (!cur.ok() && !cur.status().IsNotFound()) return cur.status();
  const Item* server = cur.ok() ? &*cur : nullptr;
  ServerDocument doc{server != nullptr, server && server->deleted, server ? server->etag : 0};
  switch (DecidePush(op.kind, op.base_etag, doc)) {
    case PushOutcome::kConflict:
      return DumpJson(Conflict(op, *server));
    case PushOutcome::kNotFound:
      return DumpJson(
          Error(op, Status::NotFound("document '" + op.key + "' is not on the server"), nullptr));
    case PushOutcome::kDone:
      return Applied(op, doc.etag);
    case PushOutcome::kApply:
      break;
  }
  Item item;
  item.kind = ItemKind::kDocument;
  item.collection = op.collection;
  item.key = op.key;
  item.deleted = op.kind == PushKind::kDelete;
  if (!item.deleted) {
    // A client that pulls some fields only edits those: the server keeps the others.
    bool partial = fields && !fields->empty() && op.kind == PushKind::kUpdate && server;
    item.body = partial ? DumpJson(MergeFields(ParseStoredJson(server->body),
                                               ParseStoredJson(op.document), *fields))
                        : op.document;
  }
  Item before;
  Status s = writer->WriteDocument(txn, rules, &item, Precondition{}, false, &before);
  if (!s.ok()) {
    if (!IsOperationError(s)) return s;
    return DumpJson(Error(op, s, server));
  }
  return Applied(op, item.etag);
}

}  // namespace

PushOutcome DecidePush(PushKind kind, std::optional<int64_t> base, const ServerDocument& doc) {
  bool live = doc.exists && !doc.deleted;
  switch (kind) {
    case PushKind::kCreate:
      return live ? PushOutcome::kConflict : PushOutcome::kApply;
    case PushKind::kUpdate:
      if (!doc.exists) return PushOutcome::kNotFound;
      if (!live) return PushOutcome::kConflict;  // deleted on the server meanwhile
      return base == doc.etag ? PushOutcome::kApply : PushOutcome::kConflict;
    case PushKind::kDelete:
      if (!live) return PushOutcome::kDone;
      return base == doc.etag ? PushOutcome::kApply : PushOutcome::kConflict;
  }
  return PushOutcome::kConflict;
}

const char* PushErrorType(PushKind kind) {
  switch (kind) {
    case PushKind::kCreate: return "create-error";
    case PushKind::kUpdate: return "update-error";
    case PushKind::kDelete: return "delete-error";
  }
  return "update-error";
}

Result<std::vector<PushOp>> ParsePushOps(std::string_view body) {
  // simdjson: a batch of thousands of documents is parsed in a fraction of what a tree of
  // nlohmann objects costs, and each document is kept as its minified text (what is stored).
  sj::dom::parser parser;
  if (parser.allocate(body.size(), kMaxJsonDepth)) {
    return Status::TooLarge("the push body is too large to parse");
  }
  sj::dom::element root;
  if (sj::error_code e = parser.parse(body.data(), body.size()).get(root)) {
    if (e == sj::DEPTH_ERROR) {
      return Status::InvalidArgument("JSON is nested deeper than " +
                                     std::to_string(kMaxJsonDepth) + " levels");
    }
    return Status::InvalidArgument(std::string("invalid JSON: ") + sj::error_message(e));
  }
  sj::dom::object top;
  if (root.get(top)) return Status::InvalidArgument("the body must be a JSON object");
  sj::dom::element list;
  if (top["operations"].get(list)) return Status::InvalidArgument("'operations' is missing");
  sj::dom::array ops;
  if (list.get(ops)) return Status::InvalidArgument("'operations' must be an array");
  if (ops.size() > kMaxPushOperations) {
    return Status::TooLarge("a push takes at most " + std::to_string(kMaxPushOperations) +
                            " operations");
  }
  std::vector<PushOp> out;
  out.reserve(ops.size());
  for (sj::dom::element e : ops) {
    Result<PushOp> op = ParseOp(e);
    if (!op.ok()) return op.status().WithContext("operation " + std::to_string(out.size()));
    out.push_back(std::move(*op));
  }
  return out;
}

Result<std::vector<std::string>> ApplyPush(
    Store* store, LocalWriter* writer, const std::string& db, const std::string& client_id,
    const std::vector<PushOp>& ops, const std::map<std::string, std::vector<std::string>>& fields) {
  std::vector<std::string> results;
  SYNCLINE_RETURN_IF_ERROR(store->Write(db, [&](WriteTransaction& txn) -> Status {
    results.clear();
    RulesCheck rules(txn);
    for (const PushOp& op : ops) {
      SYNCLINE_ASSIGN_OR_RETURN(std::optional<std::string> kept,
                                txn.GetClientOp(client_id, op.op_id));
      if (kept) {
        results.push_back(std::move(*kept));
        continue;
      }
      auto f = fields.find(op.collection);
      SYNCLINE_ASSIGN_OR_RETURN(
          std::string result,
          ApplyOne(txn, rules, writer, op, f == fields.end() ? nullptr : &f->second));
      SYNCLINE_RETURN_IF_ERROR(txn.PutClientOp(client_id, op.op_id, result));
      results.push_back(std::move(result));
    }
    return Status::OK();
  }));
  return results;
}

}  // namespace syncline
