// Protocol names and the source's checked decoding of a destination's replies.
#include "replicate/protocol.h"

#include "sync/version_vector.h"
#include "util/base64.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

constexpr ProtoOp kAllOps[] = {ProtoOp::kLastEtag,   ProtoOp::kSetLastEtag, ProtoOp::kState,
                               ProtoOp::kApplyDocs,  ProtoOp::kFileBegin,   ProtoOp::kFileCommit,
                               ProtoOp::kFileAbort,  ProtoOp::kRename,      ProtoOp::kFilesBegin,
                               ProtoOp::kFilesCommit, ProtoOp::kChunks,     ProtoOp::kChunkRecipes};
constexpr ProtoOutcome kAllOutcomes[] = {ProtoOutcome::kApplied, ProtoOutcome::kUpToDate,
                                         ProtoOutcome::kConflict, ProtoOutcome::kProceed,
                                         ProtoOutcome::kNeedsContent};

// A reply that breaks the protocol: the peer's fault, named with the operation.
Status Violation(ProtoOp op, std::string_view what) {
  return Status::ProtocolError("destination's reply to " + std::string(ProtoOpName(op)) + ": " +
                               std::string(what));
}

// Turns a checked accessor's InvalidArgument into the peer's protocol violation.
template <typename T>
Result<T> Checked(ProtoOp op, Result<T> r) {
  if (r.ok()) return r;
  return Violation(op, r.status().message());
}

Result<ProtoOutcome> OutcomeField(ProtoOp op, const Json& reply) {
  SYNCLINE_ASSIGN_OR_RETURN(std::string name, Checked(op, JsonString(reply, "outcome")));
  std::optional<ProtoOutcome> o = ParseProtoOutcome(name);
  if (!o) return Violation(op, "unknown outcome '" + name + "'");
  return *o;
}

}  // namespace

std::string_view ProtoOpName(ProtoOp op) {
  switch (op) {
    case ProtoOp::kLastEtag: return "last-etag";
    case ProtoOp::kSetLastEtag: return "set-last-etag";
    case ProtoOp::kState: return "state";
    case ProtoOp::kApplyDocs: return "apply-docs";
    case ProtoOp::kFileBegin: return "file-begin";
    case ProtoOp::kFileCommit: return "file-commit";
    case ProtoOp::kFileAbort: return "file-abort";
    case ProtoOp::kRename: return "rename";
    case ProtoOp::kFilesBegin: return "files-begin";
    case ProtoOp::kFilesCommit: return "files-commit";
    case ProtoOp::kChunks: return "chunks";
    case ProtoOp::kChunkRecipes: return "chunk-recipes";
  }
  return "unknown";
}

std::optional<ProtoOp> ParseProtoOp(std::string_view name) {
  for (ProtoOp op : kAllOps) {
    if (ProtoOpName(op) == name) return op;
  }
  return std::nullopt;
}

bool IsBinaryOp(ProtoOp op) { return op == ProtoOp::kChunks || op == ProtoOp::kChunkRecipes; }

std::string_view ProtoOutcomeName(ProtoOutcome o) {
  switch (o) {
    case ProtoOutcome::kApplied: return "applied";
    case ProtoOutcome::kUpToDate: return "up_to_date";
    case ProtoOutcome::kConflict: return "conflict";
    case ProtoOutcome::kProceed: return "proceed";
    case ProtoOutcome::kNeedsContent: return "needs_content";
  }
  return "unknown";
}

std::optional<ProtoOutcome> ParseProtoOutcome(std::string_view name) {
  for (ProtoOutcome o : kAllOutcomes) {
    if (ProtoOutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

ProtoOutcome ToProtoOutcome(IncomingOutcome o) {
  switch (o) {
    case IncomingOutcome::kApplied: return ProtoOutcome::kApplied;
    case IncomingOutcome::kUpToDate: return ProtoOutcome::kUpToDate;
    case IncomingOutcome::kConflict: return ProtoOutcome::kConflict;
  }
  return ProtoOutcome::kConflict;
}

bool IsSettled(ProtoOutcome o) {
  return o == ProtoOutcome::kApplied || o == ProtoOutcome::kUpToDate ||
         o == ProtoOutcome::kConflict;
}

Json StatusToJson(const Status& s) {
  return {{"error", Status::CodeName(s.code())}, {"message", s.message()}};
}

Status StatusFromJson(const Json& j) {
  Result<std::string> code = JsonString(j, "error");
  Result<std::string> message = JsonStringOr(j, "message", "");
  if (!code.ok() || !message.ok()) return Status::ProtocolError("malformed error object");
  Status::Code c = Status::CodeFromName(*code);
  if (c == Status::Code::kOk) return Status::ProtocolError("an error object with code 'ok'");
  return Status::FromCode(c, *message);
}

Result<int64_t> DecodeLastEtagReply(ProtoOp op, const Json& reply) {
  SYNCLINE_ASSIGN_OR_RETURN(int64_t etag, Checked(op, JsonInt(reply, "last_etag")));
  if (etag < 0) return Violation(op, "'last_etag' is negative");
  return etag;
}

Result<std::vector<PeerState>> DecodeStateReply(const Json& reply, size_t expected) {
  constexpr ProtoOp op = ProtoOp::kState;
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, Checked(op, JsonArrayField(reply, "items")));
  if (items->size() != expected) {
    return Violation(op, std::to_string(items->size()) + " states for " +
                             std::to_string(expected) + " items");
  }
  std::vector<PeerState> out;
  for (const Json& s : *items) {
    PeerState peer;
    SYNCLINE_ASSIGN_OR_RETURN(peer.exists, Checked(op, JsonBool(s, "exists")));
    if (peer.exists) {
      SYNCLINE_ASSIGN_OR_RETURN(const Json* vv, Checked(op, JsonObjectField(s, "version_vector")));
      Result<VersionVector> parsed = VersionVector::Parse(DumpJson(*vv));
      if (!parsed.ok()) return Violation(op, parsed.status().message());
      peer.version_vector = parsed->ToJson();
      SYNCLINE_ASSIGN_OR_RETURN(peer.deleted, Checked(op, JsonBool(s, "deleted")));
      SYNCLINE_ASSIGN_OR_RETURN(peer.content_hash, Checked(op, JsonStringOr(s, "content_hash", "")));
      SYNCLINE_ASSIGN_OR_RETURN(peer.conflict, Checked(op, JsonBoolOr(s, "conflict", false)));
    }
    out.push_back(std::move(peer));
  }
  return out;
}

namespace {

// The results array of a batch reply: exactly `expected` entries, in request order.
Result<const Json*> ResultsField(ProtoOp op, const Json& reply, size_t expected,
                                 std::string_view what) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* results, Checked(op, JsonArrayField(reply, "results")));
  if (results->size() != expected) {
    return Violation(op, std::to_string(results->size()) + " results for " +
                             std::to_string(expected) + " " + std::string(what));
  }
  return results;
}

// A per-item error inside a batch reply: {outcome: null, error, message}.
bool IsItemError(const Json& r) {
  if (!r.is_object()) return true;
  auto outcome = r.find("outcome");
  return outcome == r.end() || outcome->is_null();
}

// Reads the item's error into *error; a violation if it is no error object.
Status ItemError(ProtoOp op, const Json& r, Status* error) {
  *error = StatusFromJson(r);
  if (error->code() == Status::Code::kProtocolError) return Violation(op, error->message());
  return Status::OK();
}

Result<std::vector<ItemResult>> DecodeItemResults(ProtoOp op, const Json& reply, size_t expected,
                                                  std::string_view what) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* results, ResultsField(op, reply, expected, what));
  std::vector<ItemResult> out;
  for (const Json& r : *results) {
    ItemResult d;
    if (!IsItemError(r)) {
      SYNCLINE_ASSIGN_OR_RETURN(ProtoOutcome o, OutcomeField(op, r));
      if (!IsSettled(o)) return Violation(op, "outcome '" + std::string(ProtoOutcomeName(o)) + "'");
      d.outcome = o;
    } else {
      SYNCLINE_RETURN_IF_ERROR(ItemError(op, r, &d.error));
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<FileBeginReply> DecodeBeginReply(ProtoOp op, const Json& reply, size_t chunk_count) {
  FileBeginReply out;
  SYNCLINE_ASSIGN_OR_RETURN(out.outcome, OutcomeField(op, reply));
  if (out.outcome != ProtoOutcome::kProceed) return out;
  SYNCLINE_ASSIGN_OR_RETURN(const Json* need, Checked(op, JsonArrayField(reply, "need")));
  if (need->size() > chunk_count) return Violation(op, "more chunks needed than the file has");
  std::vector<bool> asked(chunk_count, false);
  for (const Json& index : *need) {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t i, Checked(op, JsonAsInt(index, "need[]")));
    if (i < 0 || static_cast<size_t>(i) >= chunk_count) {
      return Violation(op, "asks for chunk " + std::to_string(i) + " of " +
                               std::to_string(chunk_count));
    }
    if (asked[static_cast<size_t>(i)]) {
      return Violation(op, "asks for chunk " + std::to_string(i) + " twice");
    }
    asked[static_cast<size_t>(i)] = true;
    out.need.push_back(static_cast<size_t>(i));
  }
  SYNCLINE_ASSIGN_OR_RETURN(std::string basis, Checked(op, JsonStringOr(reply, "basis", "")));
  Result<std::string> decoded = Base64Decode(basis);
  if (!decoded.ok()) return Violation(op, "'basis' is not base64");
  out.basis = std::move(*decoded);
  return out;
}

}  // namespace

Result<std::vector<ItemResult>> DecodeApplyDocsReply(const Json& reply, size_t expected) {
  return DecodeItemResults(ProtoOp::kApplyDocs, reply, expected, "documents");
}

Result<std::vector<ItemResult>> DecodeFilesCommitReply(const Json& reply, size_t expected) {
  return DecodeItemResults(ProtoOp::kFilesCommit, reply, expected, "files");
}

Result<FileBeginReply> DecodeFileBeginReply(const Json& reply, size_t chunk_count) {
  return DecodeBeginReply(ProtoOp::kFileBegin, reply, chunk_count);
}

Result<std::vector<FileBeginResult>> DecodeFilesBeginReply(
    const Json& reply, const std::vector<size_t>& chunk_counts) {
  constexpr ProtoOp op = ProtoOp::kFilesBegin;
  SYNCLINE_ASSIGN_OR_RETURN(const Json* results,
                            ResultsField(op, reply, chunk_counts.size(), "files"));
  std::vector<FileBeginResult> out;
  for (size_t i = 0; i < results->size(); ++i) {
    const Json& r = (*results)[i];
    FileBeginResult b;
    if (IsItemError(r)) {
      SYNCLINE_RETURN_IF_ERROR(ItemError(op, r, &b.error));
    } else {
      SYNCLINE_ASSIGN_OR_RETURN(b.reply, DecodeBeginReply(op, r, chunk_counts[i]));
    }
    out.push_back(std::move(b));
  }
  return out;
}

Result<ProtoOutcome> DecodeOutcomeReply(ProtoOp op, const Json& reply) {
  SYNCLINE_ASSIGN_OR_RETURN(ProtoOutcome o, OutcomeField(op, reply));
  bool allowed = IsSettled(o) || (op == ProtoOp::kRename && o == ProtoOutcome::kNeedsContent);
  if (!allowed) return Violation(op, "outcome '" + std::string(ProtoOutcomeName(o)) + "'");
  return o;
}

Status DecodeChunksReply(const Json& reply, size_t sent) {
  constexpr ProtoOp op = ProtoOp::kChunks;
  SYNCLINE_ASSIGN_OR_RETURN(int64_t stored, Checked(op, JsonInt(reply, "stored")));
  if (stored < 0 || static_cast<size_t>(stored) != sent) {
    return Violation(op, "stored " + std::to_string(stored) + " of " + std::to_string(sent) +
                             " chunks");
  }
  return Status::OK();
}

Result<std::vector<Sha256Digest>> DecodeRecipesReply(const Json& reply, size_t sent) {
  constexpr ProtoOp op = ProtoOp::kChunkRecipes;
  SYNCLINE_ASSIGN_OR_RETURN(int64_t stored, Checked(op, JsonInt(reply, "stored")));
  SYNCLINE_ASSIGN_OR_RETURN(const Json* failed, Checked(op, JsonArrayField(reply, "failed")));
  std::vector<Sha256Digest> out;
  for (const Json& hex : *failed) {
    SYNCLINE_ASSIGN_OR_RETURN(std::string text, Checked(op, JsonAsString(hex, "failed[]")));
    Sha256Digest h;
    if (!HexDecode(text, &h)) return Violation(op, "'failed' holds a malformed hash");
    out.push_back(h);
  }
  if (stored < 0 || static_cast<size_t>(stored) + out.size() != sent) {
    return Violation(op, "accounted for " + std::to_string(stored) + " + " +
                             std::to_string(out.size()) + " of " + std::to_string(sent) +
                             " recipes");
  }
  return out;
}

}  // namespace syncline
