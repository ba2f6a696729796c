// Receiver: validates each request, then decides and applies in one store transaction.
#include "replicate/receiver.h"

#include <set>

#include "chunk/manifest.h"
#include "replicate/protocol.h"
#include "sync/conflicts.h"
#include "sync/item_json.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "replicate/chunk_batch.h"
#include "replicate/chunk_delta.h"
#include "util/base64.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

Result<SyncSource> SourceFrom(const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* source, JsonObjectField(req, "source"));
  SyncSource s;
  for (auto [field, out] : {std::pair{"node_id", &s.node_id}, std::pair{"db", &s.db},
                            std::pair{"url", &s.url}}) {
    Result<std::string> value = JsonString(*source, field);
    if (!value.ok() || value->empty()) {
      return Status::InvalidArgument(std::string("'source.") + field + "' must be a non-empty string");
    }
    *out = std::move(*value);
  }
  return s;
}

Result<Item> ItemField(const Json& req, const char* field) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* item, JsonObjectField(req, field));
  return ItemFromJson(*item);
}

// The source's report of what it sends; its outcome is ours to decide, so no error is kept.
Result<SyncReport> ReportField(const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* report, JsonObjectField(req, "report"));
  SYNCLINE_ASSIGN_OR_RETURN(SyncReport r, SyncReportFromJson(*report));
  r.error = Status::OK();
  return r;
}




// A live file's manifest must decode and add up to its size.
Result<Manifest> CheckedManifest(const Item& item) {
  Result<Manifest> decoded = Manifest::Decode(item.manifest);
  if (!decoded.ok()) {
    // The peer's manifest, not our stored data: bad input, not corruption.
    return Status::InvalidArgument("file '" + item.key + "': " + decoded.status().message());
  }
  Manifest m = std::move(*decoded);
  if (static_cast<int64_t>(m.TotalSize()) != item.size) {
    return Status::InvalidArgument("file '" + item.key + "': manifest does not add up to its size");
  }
  return m;
}

}  // namespace

Result<Json> Receiver::Handle(const std::string& db, ProtoOp op, const Json& request) {
  if (!request.is_object()) return Status::InvalidArgument("a sync request must be an object");
  switch (op) {
    case ProtoOp::kLastEtag: return LastEtag(db, request);
    case ProtoOp::kSetLastEtag: return SetLastEtag(db, request);
    case ProtoOp::kState: return State(db, request);
    case ProtoOp::kApplyDocs: return ApplyDocuments(db, request);
    case ProtoOp::kFileBegin: return FileBegin(db, request);
    case ProtoOp::kFileCommit: return FileCommit(db, request);
    case ProtoOp::kFileAbort: return FileAbort(db, request);
    case ProtoOp::kRename: return Rename(db, request);
    case ProtoOp::kFilesBegin: return FilesBegin(db, request);
    case ProtoOp::kFilesCommit: return FilesCommit(db, request);
    case ProtoOp::kChunks:
    case ProtoOp::kChunkRecipes: break;
  }
  return Status::InvalidArgument("sync operation '" + std::string(ProtoOpName(op)) +
                                 "' takes a binary body");
}

Status Receiver::RecordFinished(WriteTransaction& txn, SyncReport report,
                                IncomingOutcome outcome) {
  if (outcome == IncomingOutcome::kConflict) {
    report.error = ConflictedReport(report.ref);
  }
  report.finished_at = clock_->NowMicros();
  return txn.PutReport(ReportDirection::kIncoming, SyncReportToRecord(report));
}

Result<Json> Receiver::LastEtag(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(int64_t etag, store_->GetSourceEtag(db, source.node_id, source.db));
  return Json{{"last_etag", etag}};
}

Result<Json> Receiver::SetLastEtag(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(int64_t etag, JsonInt(req, "last_etag"));
  if (etag < 0) return Status::InvalidArgument("'last_etag' must be a non-negative integer");
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t stored, txn.GetSourceEtag(source.node_id, source.db));
    etag = std::max(etag, stored);
    return txn.PutSourceEtag(source.node_id, source.db, etag);
  }));
  return Json{{"last_etag", etag}};
}

Result<Json> Receiver::State(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, JsonArrayField(req, "items"));
  if (items->size() > kMaxStateItems) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxStateItems) +
                                   " items per state request");
  }
  Json out = Json::array();
  for (const Json& r : *items) {
    SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(r));
    Result<Item> item = store_->GetItem(db, ref.kind, ref.collection, ref.key);
    if (!item.ok() && !item.status().IsNotFound()) return item.status();
    Json s = {{"exists", item.ok()}};
    if (item.ok()) {
      s["version_vector"] = ParseStoredJson(item->version_vector);
      s["deleted"] = item->deleted;
      s["content_hash"] = item->content_hash;
      SYNCLINE_ASSIGN_OR_RETURN(auto conflict, FindConflict(store_, db, ref));
      s["conflict"] = conflict.has_value();
    }
    out.push_back(std::move(s));
  }
  return Json{{"items", out}};
}

Result<Json> Receiver::ApplyDocuments(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, JsonArrayField(req, "items"));
  SYNCLINE_ASSIGN_OR_RETURN(std::string destination_url, JsonStringOr(req, "destination_url", ""));
  std::vector<Item> docs;
  std::vector<int64_t> etags;
  for (const Json& entry : *items) {
    if (!entry.is_object()) return Status::InvalidArgument("'items' holds a non-object");
    SYNCLINE_ASSIGN_OR_RETURN(Item doc, ItemField(entry, "item"));
    if (doc.kind != ItemKind::kDocument) return Status::InvalidArgument("apply-docs takes documents");
    docs.push_back(std::move(doc));
    SYNCLINE_ASSIGN_OR_RETURN(int64_t etag, JsonIntOr(entry, "etag", 0));
    etags.push_back(etag);
  }
  int64_t started = clock_->NowMicros();
  Json results = Json::array();
  // One transaction for the batch; an item another sync has locked fails alone.
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    results = Json::array();
    for (size_t i = 0; i < docs.size(); ++i) {
      SyncReport report;
      report.ref = docs[i].ref();
      report.etag = etags[i];
      report.type = docs[i].deleted ? SyncType::kDelete : SyncType::kContentUpdate;
      report.bytes_transferred = static_cast<int64_t>(docs[i].body.size());
      report.source_node = source.node_id;
      report.source_url = source.url;
      report.destination_url = destination_url;
      report.started_at = started;
      Result<IncomingOutcome> outcome = ApplyIncoming(txn, docs[i], source, started);
      // A locked item, or one of a followed collection, fails alone.
      if (outcome.status().code() == Status::Code::kPreconditionFailed ||
          outcome.status().code() == Status::Code::kConflicted) {
        Json failed = StatusToJson(outcome.status());
        failed["outcome"] = nullptr;
        results.push_back(std::move(failed));
        continue;
      }
      if (!outcome.ok()) return outcome.status();
      SYNCLINE_RETURN_IF_ERROR(RecordFinished(txn, report, *outcome));
      results.push_back({{"outcome", ProtoOutcomeName(ToProtoOutcome(*outcome))}});
    }
    return Status::OK();
  }));
  return Json{{"results", results}};
}

// A file-begin: what the source sends and what this node decides about it.
struct Receiver::Begin {
  SyncType type = SyncType::kContentUpdate;
  Item item;
  SyncReport report;
  Manifest manifest;  // content updates: checked against the item's size
  ProtoOutcome outcome = ProtoOutcome::kProceed;
  Item current;  // the version being replaced, if live: the basis of finer need lists
  Status error;  // this file's own refusal inside a batch (locked, followed, ...)
};

Result<Receiver::Begin> Receiver::ParseBegin(const Json& req) {
  Begin b;
  SYNCLINE_ASSIGN_OR_RETURN(b.item, ItemField(req, "item"));
  SYNCLINE_ASSIGN_OR_RETURN(b.report, ReportField(req));
  if (b.item.kind != ItemKind::kFile) return Status::InvalidArgument("file-begin takes a file");
  SYNCLINE_ASSIGN_OR_RETURN(std::string type_name, JsonString(req, "type"));
  SYNCLINE_ASSIGN_OR_RETURN(b.type, ParseSyncType(type_name));
  if (b.type == SyncType::kContentUpdate) {
    if (b.item.deleted) return Status::InvalidArgument("a content update needs a live file");
    SYNCLINE_ASSIGN_OR_RETURN(b.manifest, CheckedManifest(b.item));
  } else if (b.type != SyncType::kMetadataUpdate && !b.item.deleted) {
    return Status::InvalidArgument("a delete must carry a tombstone");
  }
  return b;
}

Status Receiver::DecideBegin(WriteTransaction& txn, const SyncSource& source, int64_t now,
                             Begin* b) {
  const ItemRef ref = b->item.ref();
  b->current = Item();
  if (b->type != SyncType::kContentUpdate) {
    // Applied at once: no content travels.
    b->outcome = ProtoOutcome::kApplied;
    if (b->type == SyncType::kMetadataUpdate) {
      Result<Item> current = txn.Get(ref.kind, "", ref.key);
      if (!current.ok() || current->deleted || current->content_hash != b->item.content_hash) {
        b->outcome = ProtoOutcome::kNeedsContent;
        return Status::OK();
      }
      b->item.manifest = current->manifest;
      b->item.size = current->size;
    }
    SYNCLINE_ASSIGN_OR_RETURN(IncomingOutcome outcome, ApplyIncoming(txn, b->item, source, now));
    b->outcome = ToProtoOutcome(outcome);
    return RecordFinished(txn, b->report, outcome);
  }
  b->outcome = ProtoOutcome::kProceed;
  // Check and take the lock in one transaction: two sources never apply one file at once.
  SYNCLINE_RETURN_IF_ERROR(TakeItemLock(txn, ref, source.node_id, now, lock_timeout_));
  Result<Item> found = txn.Get(ref.kind, "", ref.key);
  if (!found.ok()) return found.status().IsNotFound() ? Status::OK() : found.status();
  b->current = *found;
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector theirs, VersionVector::Parse(b->item.version_vector));
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector ours, VersionVector::Parse(b->current.version_vector));
  auto order = theirs.CompareTo(ours);
  if (order == VersionVector::Order::kEqual || order == VersionVector::Order::kOlder) {
    b->outcome = ProtoOutcome::kUpToDate;
  } else if (order == VersionVector::Order::kConcurrent) {
    // The same incoming version already kept aside needs no second transfer.
    SYNCLINE_ASSIGN_OR_RETURN(auto conflict, GetConflict(txn, ref));
    if (conflict && conflict->remote_version == theirs.ToJson()) b->outcome = ProtoOutcome::kConflict;
  }
  if (b->outcome == ProtoOutcome::kProceed) return Status::OK();
  SYNCLINE_RETURN_IF_ERROR(ReleaseItemLock(txn, ref, source.node_id));
  return RecordFinished(txn, b->report,
                        b->outcome == ProtoOutcome::kConflict ? IncomingOutcome::kConflict
                                                              : IncomingOutcome::kUpToDate);
}

Result<Json> Receiver::BeginReply(const std::string& db, const SyncSource& source,
                                  const Begin& b) {
  if (!b.error.ok()) {
    Json failed = StatusToJson(b.error);
    failed["outcome"] = nullptr;
    return failed;
  }
  Json reply = {{"outcome", ProtoOutcomeName(b.outcome)}};
  if (b.type != SyncType::kContentUpdate) return reply;
  Json need = Json::array();
  if (b.outcome == ProtoOutcome::kProceed) {
    // Held before the need list is read: a chunk counted as present stays present.
    HoldChunks(db, source, b.item.ref(), b.manifest);
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<size_t> missing, MissingChunks(db, b.manifest));
    need = missing;
  }
  std::string basis;
  if (!need.empty() && !b.current.deleted && !b.current.manifest.empty()) {
    SYNCLINE_ASSIGN_OR_RETURN(basis, BasisSignature(db, b.current, b.manifest));
  }
  reply["need"] = std::move(need);
  reply["basis"] = Base64Encode(basis);
  return reply;
}

Result<Json> Receiver::FileBegin(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(Begin b, ParseBegin(req));
  int64_t now = clock_->NowMicros();
  SYNCLINE_RETURN_IF_ERROR(store_->Write(
      db, [&](WriteTransaction& txn) { return DecideBegin(txn, source, now, &b); }));
  return BeginReply(db, source, b);
}

namespace {

// A refusal that concerns one file of a batch alone: the rest of the batch goes on.
bool IsOwnRefusal(const Status& s) {
  return s.code() == Status::Code::kPreconditionFailed || s.code() == Status::Code::kConflicted;
}

Result<const Json*> BatchField(const Json& req, const char* field) {
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, JsonArrayField(req, field));
  if (items->size() > kMaxFileBatchItems) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxFileBatchItems) +
                                   " files per batch");
  }
  for (const Json& entry : *items) {
    if (!entry.is_object()) return Status::InvalidArgument(std::string("'") + field + "' holds a non-object");
  }
  return items;
}

// InvalidArgument if `item` was already in this batch.
Status OncePerBatch(const Item& item, std::set<ItemRef>* seen) {
  if (seen->insert(item.ref()).second) return Status::OK();
  return Status::InvalidArgument("file '" + item.key + "' is twice in one batch");
}

}  // namespace

Result<Json> Receiver::FilesBegin(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, BatchField(req, "items"));
  std::vector<Begin> begins;
  std::set<ItemRef> seen;
  for (const Json& entry : *items) {
    SYNCLINE_ASSIGN_OR_RETURN(Begin b, ParseBegin(entry));
    SYNCLINE_RETURN_IF_ERROR(OncePerBatch(b.item, &seen));
    begins.push_back(std::move(b));
  }
  int64_t now = clock_->NowMicros();
  // One transaction (one durable commit) for the batch; a file refused alone fails alone.
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    for (Begin& b : begins) {
      b.error = Status::OK();
      Status s = DecideBegin(txn, source, now, &b);
      if (IsOwnRefusal(s)) {
        b.error = s;
      } else if (!s.ok()) {
        return s;
      }
    }
    return Status::OK();
  }));
  Json results = Json::array();
  for (const Begin& b : begins) {
    SYNCLINE_ASSIGN_OR_RETURN(Json reply, BeginReply(db, source, b));
    results.push_back(std::move(reply));
  }
  return Json{{"results", results}};
}

void Receiver::HoldChunks(const std::string& db, const SyncSource& source, const ItemRef& ref,
                          const Manifest& manifest) {
  auto pins = std::make_shared<PinnedChunks>(&store_->chunk_pins(), db);
  for (const ChunkRef& c : manifest.chunks) pins->Add(c.hash);
  int64_t now = clock_->NowMicros();
  std::lock_guard<std::mutex> lock(held_mu_);
  for (auto it = held_.begin(); it != held_.end();) {
    it = it->second.expires_at <= now ? held_.erase(it) : std::next(it);
  }
  held_[{db, source.node_id, ref}] = Held{std::move(pins), now + lock_timeout_};
}

void Receiver::ReleaseChunks(const std::string& db, const SyncSource& source, const ItemRef& ref) {
  std::lock_guard<std::mutex> lock(held_mu_);
  held_.erase({db, source.node_id, ref});
}

Result<std::vector<size_t>> Receiver::MissingChunks(const std::string& db,
                                                   const Manifest& manifest) {
  std::vector<size_t> missing;
  std::set<Sha256Digest> seen;
  for (size_t i = 0; i < manifest.chunks.size(); ++i) {
    const Sha256Digest& h = manifest.chunks[i].hash;
    if (!seen.insert(h).second) continue;
    SYNCLINE_ASSIGN_OR_RETURN(bool has, store_->HasChunk(db, h));
    if (!has) missing.push_back(i);
  }
  return missing;
}

Result<std::string> Receiver::BasisSignature(const std::string& db, const Item& current,
                                             const Manifest& incoming) {
  constexpr uint64_t kMaxBasisBytes = 256ull << 20;  // past this, whole chunks are cheaper
  SYNCLINE_ASSIGN_OR_RETURN(Manifest old, Manifest::Decode(current.manifest));
  std::set<Sha256Digest> kept;
  for (const ChunkRef& c : incoming.chunks) kept.insert(c.hash);
  std::string signature, chunk;
  uint64_t bytes = 0;
  for (const ChunkRef& c : old.chunks) {
    if (kept.count(c.hash) || bytes + c.size > kMaxBasisBytes) continue;
    kept.insert(c.hash);  // once each
    if (!store_->ReadChunk(db, c.hash, &chunk, Store::ChunkCheck::kTrusted).ok()) continue;  // only a hint: skip what fails
    AppendBasisSignature(c.hash, chunk, &signature);
    bytes += c.size;
  }
  return signature;
}

Result<Json> Receiver::HandleBinary(const std::string& db, ProtoOp op, std::string_view body) {
  if (op == ProtoOp::kChunks) return StoreChunks(db, body);
  if (op == ProtoOp::kChunkRecipes) return StoreRecipes(db, body);
  return Status::InvalidArgument("sync operation '" + std::string(ProtoOpName(op)) +
                                 "' takes a JSON body");
}

Result<Json> Receiver::StoreRecipes(const std::string& db, std::string_view batch) {
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<ChunkWriter> writer, store_->NewChunkWriter(db));
  int64_t stored = 0;
  std::vector<Sha256Digest> failed;
  SYNCLINE_RETURN_IF_ERROR(ApplyRecipes(
      batch, [&](const Sha256Digest& h, std::string* out) { return store_->ReadChunk(db, h, out, Store::ChunkCheck::kTrusted); },
      [&](const Sha256Digest& h, std::string_view data) {
        ++stored;
        return writer->Add(h, data);
      },
      &failed));
  SYNCLINE_RETURN_IF_ERROR(writer->Flush());
  Json f = Json::array();
  for (const auto& h : failed) f.push_back(HexEncode(h));
  return Json{{"stored", stored}, {"failed", f}};
}

Result<Json> Receiver::StoreChunks(const std::string& db, std::string_view batch) {
  SYNCLINE_ASSIGN_OR_RETURN(std::unique_ptr<ChunkWriter> writer, store_->NewChunkWriter(db));
  int64_t stored = 0;
  SYNCLINE_RETURN_IF_ERROR(ForEachBatchChunk(batch, [&](const Sha256Digest& h, std::string_view d) {
    ++stored;
    return writer->Add(h, d);
  }));
  SYNCLINE_RETURN_IF_ERROR(writer->Flush());
  return Json{{"stored", stored}};
}

// A file-commit: the version to commit, once all its chunks are here.
struct Receiver::Commit {
  Item item;
  SyncReport report;
  IncomingOutcome outcome = IncomingOutcome::kUpToDate;
  Status missing;  // PreconditionFailed when a chunk has not arrived (checked before the write)
  Status error;    // this file's own refusal: `missing`, or locked, followed, ...
};

Result<Receiver::Commit> Receiver::ParseCommit(const std::string& db, const Json& req) {
  Commit c;
  SYNCLINE_ASSIGN_OR_RETURN(c.item, ItemField(req, "item"));
  SYNCLINE_ASSIGN_OR_RETURN(c.report, ReportField(req));
  if (c.item.kind != ItemKind::kFile || c.item.deleted) {
    return Status::InvalidArgument("file-commit takes a live file");
  }
  SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, CheckedManifest(c.item));
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<size_t> missing, MissingChunks(db, manifest));
  if (!missing.empty()) {
    c.missing = Status::PreconditionFailed("file '" + c.item.key + "': chunk " +
                                         HexEncode(manifest.chunks[missing[0]].hash) +
                                         " has not arrived");
  }
  return c;
}

Status Receiver::ApplyCommit(WriteTransaction& txn, const SyncSource& source, int64_t now,
                             Commit* c) {
  SYNCLINE_ASSIGN_OR_RETURN(c->outcome, ApplyIncoming(txn, c->item, source, now));
  SYNCLINE_RETURN_IF_ERROR(ReleaseItemLock(txn, c->item.ref(), source.node_id));
  return RecordFinished(txn, c->report, c->outcome);
}

Result<Json> Receiver::FileCommit(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(Commit c, ParseCommit(db, req));
  if (!c.missing.ok()) return c.missing;
  int64_t now = clock_->NowMicros();
  SYNCLINE_RETURN_IF_ERROR(store_->Write(
      db, [&](WriteTransaction& txn) { return ApplyCommit(txn, source, now, &c); }));
  ReleaseChunks(db, source, c.item.ref());  // committed: the item names them now
  return Json{{"outcome", ProtoOutcomeName(ToProtoOutcome(c.outcome))}};
}

Result<Json> Receiver::FilesCommit(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(const Json* items, BatchField(req, "items"));
  std::vector<Commit> commits;
  std::set<ItemRef> seen;
  for (const Json& entry : *items) {
    SYNCLINE_ASSIGN_OR_RETURN(Commit c, ParseCommit(db, entry));
    SYNCLINE_RETURN_IF_ERROR(OncePerBatch(c.item, &seen));
    commits.push_back(std::move(c));
  }
  // Files the source gave up (they changed there meanwhile): their locks go now.
  std::vector<ItemRef> aborts;
  if (req.contains("abort")) {
    SYNCLINE_ASSIGN_OR_RETURN(const Json* refs, JsonArrayField(req, "abort"));
    if (refs->size() > kMaxFileBatchItems) return Status::InvalidArgument("too many files to abort");
    for (const Json& r : *refs) {
      SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(r));
      aborts.push_back(std::move(ref));
    }
  }
  int64_t now = clock_->NowMicros();
  // One transaction (one durable commit) for the batch; a file refused alone fails alone.
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    for (Commit& c : commits) {
      c.error = c.missing;
      if (!c.error.ok()) continue;
      Status s = ApplyCommit(txn, source, now, &c);
      if (IsOwnRefusal(s)) {
        c.error = s;
      } else if (!s.ok()) {
        return s;
      }
    }
    for (const ItemRef& ref : aborts) {
      SYNCLINE_RETURN_IF_ERROR(ReleaseItemLock(txn, ref, source.node_id));
    }
    return Status::OK();
  }));
  Json results = Json::array();
  for (const Commit& c : commits) {
    if (c.error.ok()) {
      ReleaseChunks(db, source, c.item.ref());
      results.push_back({{"outcome", ProtoOutcomeName(ToProtoOutcome(c.outcome))}});
    } else {
      Json failed = StatusToJson(c.error);
      failed["outcome"] = nullptr;
      results.push_back(std::move(failed));
    }
  }
  for (const ItemRef& ref : aborts) ReleaseChunks(db, source, ref);
  return Json{{"results", results}};
}

Result<Json> Receiver::FileAbort(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  auto it = req.find("item");
  if (it == req.end()) return Status::InvalidArgument("'item' is missing");
  SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(*it));
  SYNCLINE_RETURN_IF_ERROR(store_->Write(
      db, [&](WriteTransaction& txn) { return ReleaseItemLock(txn, ref, source.node_id); }));
  ReleaseChunks(db, source, ref);
  return Json::object();
}

Result<Json> Receiver::Rename(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(Item from, ItemField(req, "from"));
  SYNCLINE_ASSIGN_OR_RETURN(Item to, ItemField(req, "to"));
  SYNCLINE_ASSIGN_OR_RETURN(SyncReport report, ReportField(req));
  if (from.kind != ItemKind::kFile || to.kind != ItemKind::kFile || !from.deleted || to.deleted) {
    return Status::InvalidArgument("a rename takes a file tombstone and a live file");
  }
  ProtoOutcome result = ProtoOutcome::kApplied;
  int64_t now = clock_->NowMicros();
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    Result<Item> old = txn.Get(ItemKind::kFile, "", from.key);
    Result<Item> target = txn.Get(ItemKind::kFile, "", to.key);
    // The content must be here already, under the old name or the new one.
    const Item* content = nullptr;
    if (old.ok() && !old->deleted && old->content_hash == to.content_hash) content = &*old;
    if (target.ok() && !target->deleted && target->content_hash == to.content_hash) {
      content = &*target;
    }
    if (!content) {
      result = ProtoOutcome::kNeedsContent;
      return Status::OK();
    }
    to.manifest = content->manifest;
    to.size = content->size;
    SYNCLINE_ASSIGN_OR_RETURN(IncomingOutcome gone, ApplyIncoming(txn, from, source, now));
    SYNCLINE_ASSIGN_OR_RETURN(IncomingOutcome moved, ApplyIncoming(txn, to, source, now));
    IncomingOutcome outcome = gone == IncomingOutcome::kConflict || moved == IncomingOutcome::kConflict
                                  ? IncomingOutcome::kConflict
                              : gone == IncomingOutcome::kApplied || moved == IncomingOutcome::kApplied
                                  ? IncomingOutcome::kApplied
                                  : IncomingOutcome::kUpToDate;
    result = ToProtoOutcome(outcome);
    SYNCLINE_RETURN_IF_ERROR(RecordFinished(txn, report, outcome));
    report.ref = {ItemKind::kFile, "", to.key};  // `sync status` finds it under either name
    return RecordFinished(txn, report, outcome);
  }));
  return Json{{"outcome", ProtoOutcomeName(result)}};
}

}  // namespace syncline
