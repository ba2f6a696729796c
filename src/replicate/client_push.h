// Push: a client's batch of create / update / delete operations (docs/API.md, "Client sync").
// Each operation names the server etag it was based on and gets its own result: applied,
// conflict (with the server's document), or an error typed create-error, update-error or
// delete-error; one bad operation never fails the others. The batch applies in one
// transaction together with each result, kept by operation id, so a batch sent again after a
// cut connection answers from what was kept and applies nothing twice.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "sync/local_writer.h"
#include "util/json.h"

namespace syncline {

inline constexpr size_t kMaxPushOperations = 10000;

enum class PushKind { kCreate, kUpdate, kDelete };

struct PushOp {
  std::string op_id;  // made by the client, unique among its operations
  PushKind kind = PushKind::kCreate;
  std::string collection;
  std::string key;
  std::optional<int64_t> base_etag;  // the server etag the change was made on
  std::string document;              // create and update: a JSON object's text, minified
};

// What to do with an operation, given the document now on the server.
enum class PushOutcome {
  kApply,     // write it
  kDone,      // nothing to write: a delete of what is already gone
  kConflict,  // the server's document changed since base_etag (or exists, for a create)
  kNotFound,  // an update of a document the server never had
};

// The server's document, as DecidePush sees it.
struct ServerDocument {
  bool exists = false;  // live or a tombstone
  bool deleted = false;
  int64_t etag = 0;
};
PushOutcome DecidePush(PushKind kind, std::optional<int64_t> base_etag, const ServerDocument& doc);

// "create-error", "update-error" or "delete-error".
const char* PushErrorType(PushKind kind);

// Reads a batch from the JSON text {"operations": [...]}, nested at most kMaxJsonDepth deep.
// InvalidArgument names the bad operation; TooLarge past kMaxPushOperations.
Result<std::vector<PushOp>> ParsePushOps(std::string_view body);

// Applies `ops` for `client_id`. `fields` are the fields the client pulls of each collection
// (an update of a partial document keeps the others). The results, one per operation, as the
// JSON text of an object each (kept as they are, so a retry answers byte for byte the same).
// Fails whole only when the store does (then nothing is applied).
Result<std::vector<std::string>> ApplyPush(
    Store* store, LocalWriter* writer, const std::string& db, const std::string& client_id,
    const std::vector<PushOp>& ops, const std::map<std::string, std::vector<std::string>>& fields);

}  // namespace syncline
