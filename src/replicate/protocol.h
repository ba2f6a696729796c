// The sync protocol's vocabulary, shared by both sides: operations, outcomes, and the source's
// checked decoding of each reply (a destination is a peer: its replies are never trusted).
// Requests and replies are described in receiver.h and docs/API.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/incoming.h"
#include "sync/sync_type.h"
#include "syncline/result.h"
#include "util/json.h"
#include "util/sha256.h"

namespace syncline {

enum class ProtoOp {
  kLastEtag,
  kSetLastEtag,
  kState,
  kApplyDocs,
  kFileBegin,
  kFileCommit,
  kFileAbort,
  kRename,
  kFilesBegin,    // file-begin for a batch of files, in one transaction
  kFilesCommit,   // file-commit (and file-abort) for a batch of files, in one transaction
  kChunks,        // binary: a chunk batch (chunk_batch.h)
  kChunkRecipes,  // binary: a recipe batch (chunk_delta.h)
};

// "last-etag", "set-last-etag", "state", "apply-docs", "file-begin", "file-commit",
// "file-abort", "rename", "files-begin", "files-commit", "chunks", "chunk-recipes": the last
// segment of /sync/proto/{op}.
std::string_view ProtoOpName(ProtoOp op);
std::optional<ProtoOp> ParseProtoOp(std::string_view name);
// True for operations whose body is binary rather than JSON.
bool IsBinaryOp(ProtoOp op);

enum class ProtoOutcome {
  kApplied,       // the destination now has this version
  kUpToDate,      // it had this version or a newer one
  kConflict,      // it recorded a conflict and kept the incoming version aside
  kProceed,       // file-begin: send the needed chunks, then commit
  kNeedsContent,  // it lacks the content a metadata update or rename assumes
};

// "applied", "up_to_date", "conflict", "proceed", "needs_content".
std::string_view ProtoOutcomeName(ProtoOutcome o);
std::optional<ProtoOutcome> ParseProtoOutcome(std::string_view name);
ProtoOutcome ToProtoOutcome(IncomingOutcome o);
// Whether the destination holds the item settled: applied, already there, or a conflict.
bool IsSettled(ProtoOutcome o);

// {"error": CODE, "message": TEXT}: how a per-item error travels inside a reply.
Json StatusToJson(const Status& s);
// The Status of such an object; ProtocolError if it is not one. REQUIRES: the code is not ok.
Status StatusFromJson(const Json& j);

// The source's decoding of each reply. Every decoder returns ProtocolError naming the operation
// and what was wrong when the reply is not what the protocol promises.

// last-etag and set-last-etag: {last_etag >= 0}.
Result<int64_t> DecodeLastEtagReply(ProtoOp op, const Json& reply);
// state: exactly `expected` states, in request order.
Result<std::vector<PeerState>> DecodeStateReply(const Json& reply, size_t expected);
// apply-docs and files-commit: one result per item sent; each a settled outcome or an error.
struct ItemResult {
  std::optional<ProtoOutcome> outcome;  // nullopt: `error` says why
  Status error;
};
Result<std::vector<ItemResult>> DecodeApplyDocsReply(const Json& reply, size_t expected);
// file-begin: an outcome; with kProceed, the indices (each < `chunk_count`) of the chunks to
// send and the base64-decoded basis signature (empty if none).
struct FileBeginReply {
  ProtoOutcome outcome = ProtoOutcome::kProceed;
  std::vector<size_t> need;
  std::string basis;
};
Result<FileBeginReply> DecodeFileBeginReply(const Json& reply, size_t chunk_count);
// files-begin: one result per file sent, in order; each a file-begin reply (checked against
// that file's chunk count) or an error for that file alone (locked, followed, ...).
struct FileBeginResult {
  std::optional<FileBeginReply> reply;  // nullopt: `error` says why
  Status error;
};
Result<std::vector<FileBeginResult>> DecodeFilesBeginReply(const Json& reply,
                                                           const std::vector<size_t>& chunk_counts);
// files-commit: one result per file committed (aborted files get none).
Result<std::vector<ItemResult>> DecodeFilesCommitReply(const Json& reply, size_t expected);
// file-commit and rename: an outcome that `op` may answer.
Result<ProtoOutcome> DecodeOutcomeReply(ProtoOp op, const Json& reply);
// chunks: {stored} must count every one of the `sent` chunks.
Status DecodeChunksReply(const Json& reply, size_t sent);
// chunk-recipes: the hashes of chunks the destination could not rebuild; with {stored}, they
// must account for every one of the `sent` recipes.
Result<std::vector<Sha256Digest>> DecodeRecipesReply(const Json& reply, size_t sent);

}  // namespace syncline
