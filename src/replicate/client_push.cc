#include "replicate/client_push.h"

#include "sync/projection.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

namespace {

// Reads one operation; its document is moved out of `j`.
Result<PushOp> ParseOp(Json& j) {
  PushOp op;
  SYNCLINE_ASSIGN_OR_RETURN(op.op_id, JsonString(j, "op_id"));
  if (op.op_id.empty() || op.op_id.size() > 128) {
    return Status::InvalidArgument("'op_id' must be 1 to 128 bytes");
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::string kind, JsonString(j, "op"));
  if (kind == "create") {
    op.kind = PushKind::kCreate;
  } else if (kind == "update") {
    op.kind = PushKind::kUpdate;
  } else if (kind == "delete") {
    op.kind = PushKind::kDelete;
  } else {
    return Status::InvalidArgument("'op' must be create, update or delete, not '" + kind + "'");
  }
  SYNCLINE_ASSIGN_OR_RETURN(op.collection, JsonString(j, "collection"));
  SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(op.collection));
  SYNCLINE_ASSIGN_OR_RETURN(op.key, JsonString(j, "key"));
  SYNCLINE_RETURN_IF_ERROR(ValidateItemName(op.key, "key"));
  if (j.contains("base_etag") && !j["base_etag"].is_null()) {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t base, JsonInt(j, "base_etag"));
    op.base_etag = base;
  }
  if (op.kind != PushKind::kDelete) {
    SYNCLINE_RETURN_IF_ERROR(JsonObjectField(j, "document").status());
    op.document = std::move(*j.find("document"));  // `j` is ours: no copy of the document
  }
  if (op.kind != PushKind::kCreate && !op.base_etag) {
    return Status::InvalidArgument("an " + kind + " needs the 'base_etag' it was made on");
  }
  return op;
}

// The result of most operations, written out directly: no JSON object is built for it.
std::string Applied(const PushOp& op, int64_t etag) {
  return "{\"op_id\":" + DumpJson(Json(op.op_id)) + ",\"status\":\"applied\",\"etag\":" +
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
    Json body = partial ? MergeFields(ParseStoredJson(server->body), op.document, *fields)
                        : op.document;
    item.body = DumpJson(body);
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

Result<std::vector<PushOp>> ParsePushOps(Json body) {
  SYNCLINE_RETURN_IF_ERROR(JsonArrayField(body, "operations").status());
  Json* ops = &*body.find("operations");  // `body` is ours: documents move out of it
  if (ops->size() > kMaxPushOperations) {
    return Status::TooLarge("a push takes at most " + std::to_string(kMaxPushOperations) +
                            " operations");
  }
  std::vector<PushOp> out;
  out.reserve(ops->size());
  for (size_t i = 0; i < ops->size(); ++i) {
    Result<PushOp> op = ParseOp((*ops)[i]);
    if (!op.ok()) return op.status().WithContext("operation " + std::to_string(i));
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
