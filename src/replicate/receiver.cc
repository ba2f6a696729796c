// Receiver: validates each request, then decides and applies in one store transaction.
#include "replicate/receiver.h"

#include <set>

#include "chunk/manifest.h"
#include "sync/config_names.h"
#include "sync/conflicts.h"
#include "sync/item_json.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "replicate/chunk_batch.h"
#include "replicate/chunk_delta.h"
#include "util/base64.h"

namespace syncline {

namespace {

Result<SyncSource> SourceFrom(const Json& req) {
  auto it = req.find("source");
  if (it == req.end() || !it->is_object()) return Status::InvalidArgument("'source' is missing");
  SyncSource s;
  for (auto [field, out] : {std::pair{"node_id", &s.node_id}, std::pair{"db", &s.db},
                            std::pair{"url", &s.url}}) {
    auto f = it->find(field);
    if (f == it->end() || !f->is_string() || f->get<std::string>().empty()) {
      return Status::InvalidArgument(std::string("'source.") + field + "' is missing");
    }
    *out = f->get<std::string>();
  }
  return s;
}

Result<Item> ItemField(const Json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end()) return Status::InvalidArgument(std::string("'") + field + "' is missing");
  return ItemFromJson(*it);
}

Result<SyncReport> ReportField(const Json& req) {
  auto it = req.find("report");
  if (it == req.end()) return Status::InvalidArgument("'report' is missing");
  return SyncReportFromJson(*it);
}

std::string SourceName(const SyncSource& s) {
  return config_names::kSources + s.node_id + "/" + s.db;
}

// A live file's manifest must decode and add up to its size.
Result<Manifest> CheckedManifest(const Item& item) {
  SYNCLINE_ASSIGN_OR_RETURN(Manifest m, Manifest::Decode(item.manifest));
  if (static_cast<int64_t>(m.TotalSize()) != item.size) {
    return Status::InvalidArgument("file '" + item.key + "': manifest does not add up to its size");
  }
  return m;
}

}  // namespace

Result<Json> Receiver::Handle(const std::string& db, std::string_view op, const Json& request) {
  if (!request.is_object()) return Status::InvalidArgument("a sync request must be an object");
  if (op == "last-etag") return LastEtag(db, request);
  if (op == "set-last-etag") return SetLastEtag(db, request);
  if (op == "state") return State(db, request);
  if (op == "apply-docs") return ApplyDocuments(db, request);
  if (op == "file-begin") return FileBegin(db, request);
  if (op == "file-commit") return FileCommit(db, request);
  if (op == "file-abort") return FileAbort(db, request);
  if (op == "rename") return Rename(db, request);
  return Status::NotFound("no sync operation '" + std::string(op) + "'");
}

Status Receiver::RecordFinished(WriteTransaction& txn, SyncReport report,
                                IncomingOutcome outcome) {
  if (outcome == IncomingOutcome::kConflict) {
    report.error = std::string(ItemKindName(report.ref.kind)) + " " + report.ref.key +
                   " is conflicted";
  }
  report.finished_at = clock_->NowMicros();
  return txn.PutConfig(config_names::Item(config_names::kFinished, report.ref),
                       SyncReportToJson(report).dump());
}

Result<Json> Receiver::LastEtag(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  Result<std::string> text = store_->GetConfig(db, SourceName(source));
  if (text.status().IsNotFound()) return Json{{"last_etag", 0}};
  if (!text.ok()) return text.status();
  SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(*text));
  return Json{{"last_etag", j.value("last_etag", int64_t{0})}};
}

Result<Json> Receiver::SetLastEtag(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  auto it = req.find("last_etag");
  if (it == req.end() || !it->is_number_integer() || it->get<int64_t>() < 0) {
    return Status::InvalidArgument("'last_etag' must be a non-negative integer");
  }
  int64_t etag = it->get<int64_t>();
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    Result<std::string> text = txn.GetConfig(SourceName(source));
    if (text.ok()) {
      SYNCLINE_ASSIGN_OR_RETURN(Json j, ParseJson(*text));
      etag = std::max(etag, j.value("last_etag", int64_t{0}));
    } else if (!text.status().IsNotFound()) {
      return text.status();
    }
    return txn.PutConfig(SourceName(source), Json{{"last_etag", etag}}.dump());
  }));
  return Json{{"last_etag", etag}};
}

Result<Json> Receiver::State(const std::string& db, const Json& req) {
  auto items = req.find("items");
  if (items == req.end() || !items->is_array()) return Status::InvalidArgument("'items' is missing");
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
      s["version_vector"] = Json::parse(item->version_vector);
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
  auto items = req.find("items");
  if (items == req.end() || !items->is_array()) return Status::InvalidArgument("'items' is missing");
  std::string destination_url = req.value("destination_url", "");
  std::vector<Item> docs;
  std::vector<int64_t> etags;
  for (const Json& entry : *items) {
    if (!entry.is_object()) return Status::InvalidArgument("'items' holds a non-object");
    SYNCLINE_ASSIGN_OR_RETURN(Item doc, ItemField(entry, "item"));
    if (doc.kind != ItemKind::kDocument) return Status::InvalidArgument("apply-docs takes documents");
    docs.push_back(std::move(doc));
    etags.push_back(entry.value("etag", int64_t{0}));
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
      if (outcome.status().code() == Status::Code::kPreconditionFailed) {
        results.push_back({{"outcome", nullptr}, {"error", outcome.status().message()}});
        continue;
      }
      if (!outcome.ok()) return outcome.status();
      SYNCLINE_RETURN_IF_ERROR(RecordFinished(txn, report, *outcome));
      results.push_back({{"outcome", IncomingOutcomeName(*outcome)}, {"error", nullptr}});
    }
    return Status::OK();
  }));
  return Json{{"results", results}};
}

Result<Json> Receiver::FileBegin(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(Item item, ItemField(req, "item"));
  SYNCLINE_ASSIGN_OR_RETURN(SyncReport report, ReportField(req));
  if (item.kind != ItemKind::kFile) return Status::InvalidArgument("file-begin takes a file");
  SYNCLINE_ASSIGN_OR_RETURN(SyncType type, ParseSyncType(req.value("type", "")));
  ItemRef ref = item.ref();
  int64_t now = clock_->NowMicros();

  if (type != SyncType::kContentUpdate) {
    // Applied at once: no content travels.
    std::string outcome_name;
    SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
      if (type == SyncType::kMetadataUpdate) {
        Result<Item> current = txn.Get(ref.kind, "", ref.key);
        if (!current.ok() || current->deleted || current->content_hash != item.content_hash) {
          outcome_name = "needs_content";
          return Status::OK();
        }
        item.manifest = current->manifest;
        item.size = current->size;
      } else if (!item.deleted) {
        return Status::InvalidArgument("a delete must carry a tombstone");
      }
      SYNCLINE_ASSIGN_OR_RETURN(IncomingOutcome outcome, ApplyIncoming(txn, item, source, now));
      outcome_name = IncomingOutcomeName(outcome);
      return RecordFinished(txn, report, outcome);
    }));
    return Json{{"outcome", outcome_name}};
  }

  if (item.deleted) return Status::InvalidArgument("a content update needs a live file");
  SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, CheckedManifest(item));
  std::string outcome_name = "proceed";
  Item current;  // the version being replaced, if live: the basis of finer need lists
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    // Check and take the lock in one transaction: two sources never apply one file at once.
    SYNCLINE_RETURN_IF_ERROR(TakeItemLock(txn, ref, source.node_id, now, lock_timeout_));
    Result<Item> found = txn.Get(ref.kind, "", ref.key);
    if (!found.ok()) return found.status().IsNotFound() ? Status::OK() : found.status();
    current = *found;
    SYNCLINE_ASSIGN_OR_RETURN(VersionVector theirs, VersionVector::Parse(item.version_vector));
    SYNCLINE_ASSIGN_OR_RETURN(VersionVector ours, VersionVector::Parse(current.version_vector));
    auto order = theirs.CompareTo(ours);
    if (order == VersionVector::Order::kEqual || order == VersionVector::Order::kOlder) {
      outcome_name = "up_to_date";
    } else if (order == VersionVector::Order::kConcurrent) {
      // The same incoming version already kept aside needs no second transfer.
      SYNCLINE_ASSIGN_OR_RETURN(auto conflict, GetConflict(txn, ref));
      if (conflict && conflict->remote_version == theirs.ToJson()) outcome_name = "conflict";
    }
    if (outcome_name == "proceed") return Status::OK();
    SYNCLINE_RETURN_IF_ERROR(ReleaseItemLock(txn, ref, source.node_id));
    return RecordFinished(txn, report,
                          outcome_name == "conflict" ? IncomingOutcome::kConflict
                                                     : IncomingOutcome::kUpToDate);
  }));
  Json need = Json::array();
  if (outcome_name == "proceed") {
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<size_t> missing, MissingChunks(db, manifest));
    need = missing;
  }
  std::string basis;
  if (!need.empty() && !current.deleted && !current.manifest.empty()) {
    SYNCLINE_ASSIGN_OR_RETURN(basis, BasisSignature(db, current, manifest));
  }
  return Json{{"outcome", outcome_name}, {"need", need}, {"basis", Base64Encode(basis)}};
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

Result<Json> Receiver::HandleBinary(const std::string& db, std::string_view op,
                                    std::string_view body) {
  if (op == "chunks") return StoreChunks(db, body);
  if (op == "chunk-recipes") return StoreRecipes(db, body);
  return Status::NotFound("no binary sync operation '" + std::string(op) + "'");
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

Result<Json> Receiver::FileCommit(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  SYNCLINE_ASSIGN_OR_RETURN(Item item, ItemField(req, "item"));
  SYNCLINE_ASSIGN_OR_RETURN(SyncReport report, ReportField(req));
  if (item.kind != ItemKind::kFile || item.deleted) {
    return Status::InvalidArgument("file-commit takes a live file");
  }
  SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, CheckedManifest(item));
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<size_t> missing, MissingChunks(db, manifest));
  if (!missing.empty()) {
    return Status::PreconditionFailed("file '" + item.key + "': chunk " +
                                      HexEncode(manifest.chunks[missing[0]].hash) +
                                      " has not arrived");
  }
  ItemRef ref = item.ref();
  IncomingOutcome outcome = IncomingOutcome::kUpToDate;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(outcome, ApplyIncoming(txn, item, source, clock_->NowMicros()));
    SYNCLINE_RETURN_IF_ERROR(ReleaseItemLock(txn, ref, source.node_id));
    return RecordFinished(txn, report, outcome);
  }));
  return Json{{"outcome", IncomingOutcomeName(outcome)}};
}

Result<Json> Receiver::FileAbort(const std::string& db, const Json& req) {
  SYNCLINE_ASSIGN_OR_RETURN(SyncSource source, SourceFrom(req));
  auto it = req.find("item");
  if (it == req.end()) return Status::InvalidArgument("'item' is missing");
  SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(*it));
  SYNCLINE_RETURN_IF_ERROR(store_->Write(
      db, [&](WriteTransaction& txn) { return ReleaseItemLock(txn, ref, source.node_id); }));
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
  std::string outcome_name;
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
      outcome_name = "needs_content";
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
    outcome_name = IncomingOutcomeName(outcome);
    SYNCLINE_RETURN_IF_ERROR(RecordFinished(txn, report, outcome));
    report.ref = {ItemKind::kFile, "", to.key};  // `sync status` finds it under either name
    return RecordFinished(txn, report, outcome);
  }));
  return Json{{"outcome", outcome_name}};
}

}  // namespace syncline
