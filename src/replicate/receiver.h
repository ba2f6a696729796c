// Receiver: the destination side of synchronization. Sans-I/O: the API routes each protocol
// operation here as JSON. Operations (request -> response; "source" is {node_id, db, url}):
//   last-etag      {source}                        -> {last_etag}
//   set-last-etag  {source, last_etag}             -> {last_etag}   (only ever grows)
//   state          {items: [ref]}                  -> {items: [{exists, version_vector,
//                                                      deleted, content_hash, conflict}]}
//   apply-docs     {source, destination_url, items: [{item, etag}]}
//                                                  -> {results: [{outcome} or
//                                                      {outcome: null, error, message}]}
//   file-begin     {source, type, item, report}    -> {outcome, need: [chunk index], basis}
//                  (basis: base64 signature of the chunks the new version replaces, chunk_delta.h)
//   file-commit    {source, item, report}          -> {outcome}
//   file-abort     {source, item}                  -> {}
//   rename         {source, from, to, report}      -> {outcome}
//   files-begin    {source, items: [{type, item, report}]}
//                                                  -> {results: [file-begin's reply, or
//                                                      {outcome: null, error, message}]}
//   files-commit   {source, items: [{item, report}], abort: [ref]}
//                                                  -> {results: [{outcome} or
//                                                      {outcome: null, error, message}]}
//                  (each batch is one transaction; a file that is locked, followed, or whose
//                  chunks have not all arrived fails alone; `abort` releases files given up)
// Binary operations (the body is not JSON):
//   chunks         a chunk batch (chunk_batch.h)   -> {stored}
//   chunk-recipes  a recipe batch (chunk_delta.h)  -> {stored, failed: [hex hash]}
// Outcomes: applied, up_to_date, conflict, proceed (send the needed chunks, then commit),
// needs_content (the destination lacks the content a metadata update or rename assumes).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <string>
#include <string_view>

#include "chunk/manifest.h"
#include "replicate/protocol.h"
#include "replicate/sync_report.h"
#include "store/store.h"
#include "sync/incoming.h"
#include "syncline/env.h"
#include "util/json.h"

namespace syncline {

inline constexpr size_t kMaxStateItems = 1000;
inline constexpr size_t kMaxFileBatchItems = 1000;

// Thread-safe.
class Receiver {
 public:
  Receiver(Store* store, Clock* clock, int64_t lock_timeout_micros)
      : store_(store), clock_(clock), lock_timeout_(lock_timeout_micros) {}

  // A JSON operation. InvalidArgument for a binary operation or a malformed request; the
  // request is a peer's and is read only through checked accessors.
  Result<Json> Handle(const std::string& db, ProtoOp op, const Json& request);
  // A binary operation; chunks are durable when it returns.
  Result<Json> HandleBinary(const std::string& db, ProtoOp op, std::string_view body);

 private:
  Result<Json> LastEtag(const std::string& db, const Json& req);
  Result<Json> SetLastEtag(const std::string& db, const Json& req);
  Result<Json> State(const std::string& db, const Json& req);
  Result<Json> ApplyDocuments(const std::string& db, const Json& req);
  Result<Json> FileBegin(const std::string& db, const Json& req);
  Result<Json> FileCommit(const std::string& db, const Json& req);
  Result<Json> FilesBegin(const std::string& db, const Json& req);
  Result<Json> FilesCommit(const std::string& db, const Json& req);

  // The steps of file-begin and file-commit, shared by the single and the batched operations.
  struct Begin;
  struct Commit;
  static Result<Begin> ParseBegin(const Json& req);
  // Decides (and for a delete or metadata update, applies) one file-begin inside `txn`.
  Status DecideBegin(WriteTransaction& txn, const SyncSource& source, int64_t now, Begin* b);
  // The reply for one decided file-begin: holds the chunks, reads the need list and basis.
  Result<Json> BeginReply(const std::string& db, const SyncSource& source, const Begin& b);
  Result<Commit> ParseCommit(const std::string& db, const Json& req);
  Status ApplyCommit(WriteTransaction& txn, const SyncSource& source, int64_t now, Commit* c);
  Result<Json> FileAbort(const std::string& db, const Json& req);
  Result<Json> Rename(const std::string& db, const Json& req);
  Result<Json> StoreChunks(const std::string& db, std::string_view batch);
  Result<Json> StoreRecipes(const std::string& db, std::string_view batch);
  // Indices of the manifest's chunks the database lacks, each distinct hash once.
  Result<std::vector<size_t>> MissingChunks(const std::string& db, const Manifest& manifest);
  // The signature of the local chunks `incoming` replaces, for finer need lists.
  Result<std::string> BasisSignature(const std::string& db, const Item& current,
                                     const Manifest& incoming);

  // Stores the finished report of an incoming sync inside `txn`.
  Status RecordFinished(WriteTransaction& txn, SyncReport report, IncomingOutcome outcome);

  // The chunks of a file being received stay (garbage collection keeps them) from file-begin
  // to file-commit or file-abort, or until the sync's lock would expire.
  void HoldChunks(const std::string& db, const SyncSource& source, const ItemRef& ref,
                  const Manifest& manifest);
  void ReleaseChunks(const std::string& db, const SyncSource& source, const ItemRef& ref);

  Store* store_;
  Clock* clock_;
  int64_t lock_timeout_;

  struct Held {
    std::shared_ptr<PinnedChunks> pins;
    int64_t expires_at = 0;
  };
  std::mutex held_mu_;
  std::map<std::tuple<std::string, std::string, ItemRef>, Held> held_;  // GUARDED_BY(held_mu_)
};

}  // namespace syncline
