// Pusher: planning, the bounded worker pool, and the per-type pushes.
#include "replicate/pusher.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>


#include "chunk/manifest.h"
#include "replicate/chunk_sender.h"
#include "util/base64.h"
#include "util/json_reader.h"
#include "replicate/receiver.h"
#include "sync/conflicts.h"
#include "sync/item_json.h"
#include "util/log.h"

namespace syncline {

namespace {

constexpr int64_t kChangePage = 500;
constexpr size_t kDocBatchItems = 500;
constexpr size_t kDocBatchBytes = 4u << 20;
// Small files travel in batches: one file-begin, chunk requests and one commit for many.
constexpr size_t kFileBatchItems = 128;
constexpr int64_t kFileBatchBytes = 8 << 20;  // content bytes per batch
constexpr int64_t kBatchedFileBytes = 2 << 20;  // larger files go alone
constexpr int kMaxAttempts = 4;  // pushes of one file aborted by local changes, then next run

// One protocol call and the checked decoding of its reply.
Result<ProtoOutcome> CallForOutcome(Remote& remote, ProtoOp op, const Json& request) {
  SYNCLINE_ASSIGN_OR_RETURN(Json reply, remote.Call(op, request));
  return DecodeOutcomeReply(op, reply);
}

Result<int64_t> CallForLastEtag(Remote& remote, ProtoOp op, const Json& request) {
  SYNCLINE_ASSIGN_OR_RETURN(Json reply, remote.Call(op, request));
  return DecodeLastEtagReply(op, reply);
}

}  // namespace

struct Pusher::Work {
  Item item;  // this node's version, as planned
  SyncType type = SyncType::kContentUpdate;

  // Whether it goes in a batch of files (files-begin, files-commit) rather than alone.
  bool Batched() const {
    if (item.kind != ItemKind::kFile) return false;
    if (type == SyncType::kDelete || type == SyncType::kMetadataUpdate) return true;
    return type == SyncType::kContentUpdate && item.size <= kBatchedFileBytes;
  }

  ActivityEntry Entry(const std::string& url) const { return {item.ref(), item.etag, type, url}; }
};

// One item's result: its report, and whether the destination now has it settled (applied,
// already there, or recorded as a conflict), which lets the last-applied etag move past it.
struct Pusher::Outcome {
  SyncReport report;
  bool settled = false;
  bool applied = false;
};

// The state of one run's walk over the change feed.
struct Pusher::Walk {
  int64_t since = 0;      // feed position
  int64_t watermark = 0;  // every change up to here is settled at the destination
  bool blocked = false;   // an item failed: the watermark stays below it for this run
  std::vector<ItemRef> confirm;  // the previous run's items, checked with the first page
  std::vector<ItemRef> pushed;   // applied by this run: confirmed by the next one
  std::vector<ActivityEntry> left_pending;
  size_t budget = SIZE_MAX;  // items this run may still start
  SentChunks sent;           // chunks this run has sent: each travels once
};

void DestinationRun::AddReport(SyncReport report) {
  ++items;
  bytes_transferred += report.bytes_transferred;
  bytes_copied += report.bytes_copied;
  const bool conflict = report.error.code() == Status::Code::kConflicted;
  const bool failure = !report.error.ok() && !conflict;
  conflicts += conflict ? 1 : 0;
  if (failure) {
    ++failed;
    if (item_error.ok()) item_error = report.error.WithContext("item " + report.ref.key);
  }
  if (reports.size() < (failure ? 2 * kMaxRunReports : kMaxRunReports)) {
    reports.push_back(std::move(report));
  } else {
    ++reports_omitted;
  }
}

Json DestinationRunToJson(const DestinationRun& run) {
  Json reports = Json::array();
  for (const auto& r : run.reports) reports.push_back(SyncReportToJson(r));
  Json j = {{"destination_url", run.destination_url},
            {"reports", reports},
            {"reports_omitted", run.reports_omitted},
            {"items", run.items},
            {"conflicts", run.conflicts},
            {"failed", run.failed},
            {"bytes_transferred", run.bytes_transferred},
            {"bytes_copied", run.bytes_copied},
            {"more_pending", run.more_pending},
            {"last_etag", run.last_etag}};
  WriteJsonStatus(run.error, "error", "error_code", &j);
  return j;
}

Json Pusher::SourceJson() const {
  return {{"node_id", self_.node_id}, {"db", self_.db}, {"url", self_.url}};
}

SyncReport Pusher::NewReport(const Destination& dest, const Item& item, SyncType type) const {
  SyncReport r;
  r.ref = item.ref();
  r.etag = item.etag;
  r.type = type;
  r.source_node = self_.node_id;
  r.source_url = self_.url;
  r.destination_url = dest.url;
  r.started_at = clock_->NowMicros();
  return r;
}

Pusher::Outcome& Pusher::Settle(Outcome* o, ProtoOutcome outcome) const {
  o->report.finished_at = clock_->NowMicros();
  o->settled = IsSettled(outcome);
  o->applied = outcome == ProtoOutcome::kApplied;
  if (outcome == ProtoOutcome::kConflict) {
    o->report.error = ConflictedReport(o->report.ref);
  }
  return *o;
}

Pusher::Outcome& Pusher::Fail(Outcome* o, const Status& s) const {
  o->report.finished_at = clock_->NowMicros();
  o->report.error = s;
  o->settled = false;
  o->applied = false;
  return *o;
}

Status Pusher::Plan(Remote& remote, const std::vector<ItemRef>& refs, std::vector<Work>* works,
                    std::vector<ItemRef>* skipped) {
  for (size_t start = 0; start < refs.size(); start += kMaxStateItems) {
    size_t end = std::min(refs.size(), start + kMaxStateItems);
    Json items = Json::array();
    for (size_t i = start; i < end; ++i) items.push_back(ItemRefToJson(refs[i]));
    SYNCLINE_ASSIGN_OR_RETURN(Json resp, remote.Call(ProtoOp::kState, {{"items", items}}));
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<PeerState> states, DecodeStateReply(resp, end - start));
    for (size_t i = start; i < end; ++i) {
      Result<Item> local = store_->GetItem(db_, refs[i].kind, refs[i].collection, refs[i].key);
      if (local.status().IsNotFound()) {
        skipped->push_back(refs[i]);
        continue;
      }
      if (!local.ok()) return local.status();
      SYNCLINE_ASSIGN_OR_RETURN(std::optional<SyncType> type,
                                DecideSyncType(*local, states[i - start]));
      if (!type) {
        skipped->push_back(refs[i]);
        continue;
      }
      works->push_back({std::move(*local), *type});
    }
  }
  // A rename carries its new name along: drop that name's own work from this batch.
  std::set<std::string> renamed_to;
  for (const Work& w : *works) {
    if (w.type == SyncType::kRename) renamed_to.insert(RenamedTo(w.item));
  }
  works->erase(std::remove_if(works->begin(), works->end(),
                              [&](const Work& w) {
                                bool carried = w.item.kind == ItemKind::kFile && !w.item.deleted &&
                                               renamed_to.count(w.item.key);
                                if (carried) skipped->push_back({ItemKind::kFile, "", w.item.key});
                                return carried;
                              }),
               works->end());
  return Status::OK();
}

std::vector<std::vector<Pusher::Work>> Pusher::Units(std::vector<Work> works) const {
  std::vector<std::vector<Work>> units;
  std::vector<Work> docs, files;
  size_t doc_bytes = 0;
  int64_t file_bytes = 0;
  for (Work& w : works) {
    if (w.Batched()) {
      int64_t size = w.type == SyncType::kContentUpdate ? w.item.size : 0;
      if (!files.empty() && (files.size() >= kFileBatchItems || file_bytes + size > kFileBatchBytes)) {
        units.push_back(std::move(files));
        files.clear();
        file_bytes = 0;
      }
      file_bytes += size;
      files.push_back(std::move(w));
      continue;
    }
    if (w.item.kind == ItemKind::kFile) {
      units.push_back({std::move(w)});
      continue;
    }
    if (!docs.empty() && (docs.size() >= kDocBatchItems || doc_bytes + w.item.body.size() > kDocBatchBytes)) {
      units.push_back(std::move(docs));
      docs.clear();
      doc_bytes = 0;
    }
    doc_bytes += w.item.body.size();
    docs.push_back(std::move(w));
  }
  if (!files.empty()) units.push_back(std::move(files));
  if (!docs.empty()) units.push_back(std::move(docs));
  return units;
}

size_t Pusher::TakeWithin(std::vector<std::vector<Work>>* units, size_t* budget) {
  size_t take = 0;
  for (; take < units->size() && *budget > 0; ++take) {
    std::vector<Work>& unit = (*units)[take];
    if (unit.size() > *budget) {
      // Split the batch: its first items start now, the rest wait in a unit of their own.
      std::vector<Work> rest(std::make_move_iterator(unit.begin() + static_cast<ptrdiff_t>(*budget)),
                             std::make_move_iterator(unit.end()));
      unit.resize(*budget);
      units->insert(units->begin() + static_cast<ptrdiff_t>(take) + 1, std::move(rest));
    }
    *budget -= (*units)[take].size();
  }
  return take;
}

std::vector<Pusher::Outcome> Pusher::RunUnit(Remote& remote, const Destination& dest,
                                             const std::vector<Work>& unit, SentChunks* sent) {
  std::vector<ActivityEntry> entries;
  for (const Work& w : unit) {
    entries.push_back(w.Entry(dest.url));
    if (activity_) activity_->Start(entries.back());
  }
  std::vector<Outcome> out;
  try {
    if (unit.front().item.kind == ItemKind::kDocument) {
      out = PushDocuments(remote, dest, unit);
    } else if (unit.front().Batched()) {
      PushFileBatch(remote, dest, unit, sent, &out);
    } else {
      PushFile(remote, dest, unit.front(), sent, &out);
    }
  } catch (const std::exception& e) {
    // Last resort: a bug must fail these items, not the process.
    Log(LogLevel::kError, "sync.push", {{"db", db_}, {"destination", dest.url}, {"error_code", "internal"}},
        e.what());
    out.clear();
    for (const Work& w : unit) {
      Outcome o;
      o.report = NewReport(dest, w.item, w.type);
      Fail(&o, Status::Internal(std::string("unexpected error: ") + e.what()));
      out.push_back(std::move(o));
    }
  }
  if (activity_) {
    for (const auto& e : entries) activity_->Finish(e);
  }
  (void)SaveReports(out);  // a lost report only hides history; the sync itself is done
  return out;
}

std::vector<Pusher::Outcome> Pusher::PushDocuments(Remote& remote, const Destination& dest,
                                                   const std::vector<Work>& docs) {
  std::vector<Outcome> out;
  Json items = Json::array();
  for (const Work& w : docs) {
    items.push_back({{"item", ItemToJson(w.item)}, {"etag", w.item.etag}});
    Outcome o;
    o.report = NewReport(dest, w.item, w.type);
    o.report.bytes_transferred = static_cast<int64_t>(w.item.body.size());
    out.push_back(std::move(o));
  }
  Result<std::vector<ItemResult>> results = [&]() -> Result<std::vector<ItemResult>> {
    SYNCLINE_ASSIGN_OR_RETURN(
        Json resp, remote.Call(ProtoOp::kApplyDocs, {{"source", SourceJson()},
                                                     {"destination_url", dest.url},
                                                     {"items", items}}));
    return DecodeApplyDocsReply(resp, docs.size());
  }();
  for (size_t i = 0; i < out.size(); ++i) {
    if (!results.ok()) {
      Fail(&out[i], results.status());
      out[i].report.bytes_transferred = 0;
    } else if ((*results)[i].outcome) {
      Settle(&out[i], *(*results)[i].outcome);
    } else {
      Fail(&out[i], (*results)[i].error);
    }
  }
  return out;
}

std::optional<Pusher::Outcome> Pusher::PushFileOnce(Remote& remote, const Destination& dest,
                                                    Work& work, SentChunks* sent,
                                                    std::vector<Outcome>* out) {
  Outcome o;
  o.report = NewReport(dest, work.item, work.type);
  if (work.type == SyncType::kRename) {
    Result<Item> target = store_->GetItem(db_, ItemKind::kFile, "", RenamedTo(work.item));
    if (target.ok() && !target->deleted) {
      o.report.bytes_copied = target->size;
      Result<ProtoOutcome> r = CallForOutcome(remote, ProtoOp::kRename,
                                              {{"source", SourceJson()},
                                               {"from", ItemToJson(work.item)},
                                               {"to", ItemToJson(*target)},
                                               {"report", SyncReportToJson(o.report)}});
      if (!r.ok()) return Fail(&o, r.status());
      if (*r != ProtoOutcome::kNeedsContent) return Settle(&o, *r);
      // The destination lacks the old file: send the new one whole, then delete the old name.
      o.report.bytes_copied = 0;
      PushFile(remote, dest, {*target, SyncType::kContentUpdate}, sent, out);
    }
    work.type = SyncType::kDelete;
    o.report.type = SyncType::kDelete;
  }
  size_t chunk_count = 0;
  if (work.type == SyncType::kContentUpdate) {
    Result<Manifest> manifest = Manifest::Decode(work.item.manifest);
    if (!manifest.ok()) return Fail(&o, manifest.status());
    chunk_count = manifest->chunks.size();
  }
  FileBeginReply begin;
  while (true) {
    Result<Json> reply = remote.Call(ProtoOp::kFileBegin, {{"source", SourceJson()},
                                                           {"type", SyncTypeName(work.type)},
                                                           {"item", ItemToJson(work.item)},
                                                           {"report", SyncReportToJson(o.report)}});
    if (!reply.ok()) return Fail(&o, reply.status());
    Result<FileBeginReply> decoded = DecodeFileBeginReply(*reply, chunk_count);
    if (!decoded.ok()) return Fail(&o, decoded.status());
    begin = std::move(*decoded);
    bool content = work.type == SyncType::kContentUpdate;
    if (begin.outcome == ProtoOutcome::kNeedsContent && !content) {
      // The destination lacks what a metadata update assumes: send the content, once.
      work.type = SyncType::kContentUpdate;
      o.report.type = work.type;
      Result<Manifest> manifest = Manifest::Decode(work.item.manifest);
      if (!manifest.ok()) return Fail(&o, manifest.status());
      chunk_count = manifest->chunks.size();
      continue;
    }
    if (begin.outcome == ProtoOutcome::kNeedsContent ||
        (begin.outcome == ProtoOutcome::kProceed && !content)) {
      return Fail(&o, Status::ProtocolError(
                          "destination's reply to file-begin: outcome '" +
                          std::string(ProtoOutcomeName(begin.outcome)) + "' for a " +
                          std::string(SyncTypeName(work.type)))),
             o;
    }
    if (begin.outcome != ProtoOutcome::kProceed) return Settle(&o, begin.outcome);
    break;
  }
  Status sent_all = [&] {
    ChunkSender sender(store_, db_, &remote, sent);
    // The source never locks: if the file changes meanwhile, give this version up early.
    sender.set_check([&] { return Unchanged(work.item); });
    SYNCLINE_RETURN_IF_ERROR(sender.Add(work.item, begin, &o.report));
    return sender.Finish();
  }();
  if (sent_all.code() == Status::Code::kPreconditionFailed) {
    // Aborted: the file changed here. Releasing the lock is a courtesy; it also expires.
    (void)remote.Call(ProtoOp::kFileAbort,
                      {{"source", SourceJson()},
                       {"item", ItemRefToJson({ItemKind::kFile, "", work.item.key})}});
    return std::nullopt;
  }
  if (!sent_all.ok()) return Fail(&o, sent_all);
  Result<ProtoOutcome> commit = CallForOutcome(remote, ProtoOp::kFileCommit,
                                               {{"source", SourceJson()},
                                                {"item", ItemToJson(work.item)},
                                                {"report", SyncReportToJson(o.report)}});
  if (!commit.ok()) return Fail(&o, commit.status());
  return Settle(&o, *commit);
}

Status Pusher::Unchanged(const Item& item) const {
  Result<Item> now = store_->GetItem(db_, ItemKind::kFile, "", item.key);
  if (!now.ok() || now->etag != item.etag) {
    return Status::PreconditionFailed("file '" + item.key + "' changed during the push");
  }
  return Status::OK();
}

Status Pusher::Refresh(Work* work) const {
  SYNCLINE_ASSIGN_OR_RETURN(work->item, store_->GetItem(db_, ItemKind::kFile, "", work->item.key));
  if (work->item.deleted) {
    work->type = RenamedTo(work->item).empty() ? SyncType::kDelete : SyncType::kRename;
  } else if (work->type != SyncType::kMetadataUpdate) {
    work->type = SyncType::kContentUpdate;
  }
  return Status::OK();
}

void Pusher::PushFile(Remote& remote, const Destination& dest, Work work, SentChunks* sent,
                      std::vector<Outcome>* out) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    // Aborted because the file changed: retry with the version it has now.
    if (Status s = attempt > 0 ? Refresh(&work) : Status::OK(); !s.ok()) {
      Outcome o;
      o.report = NewReport(dest, work.item, work.type);
      Fail(&o, s);
      out->push_back(std::move(o));
      return;
    }
    if (std::optional<Outcome> o = PushFileOnce(remote, dest, work, sent, out)) {
      out->push_back(std::move(*o));
      return;
    }
  }
  Outcome o;
  o.report = NewReport(dest, work.item, work.type);
  Fail(&o, Status::Unavailable("file '" + work.item.key + "' kept changing during the push; "
                               "it will be pushed on the next run"));
  out->push_back(std::move(o));
}

Result<std::vector<FileBeginResult>> Pusher::BeginBatch(Remote& remote,
                                                        const std::vector<Work>& works,
                                                        const std::vector<Outcome>& outcomes) {
  Json items = Json::array();
  std::vector<size_t> chunk_counts;
  for (size_t i = 0; i < works.size(); ++i) {
    const Work& w = works[i];
    size_t chunks = 0;
    if (w.type == SyncType::kContentUpdate) {
      SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Decode(w.item.manifest));
      chunks = manifest.chunks.size();
    }
    chunk_counts.push_back(chunks);
    items.push_back({{"type", SyncTypeName(w.type)},
                     {"item", ItemToJson(w.item)},
                     {"report", SyncReportToJson(outcomes[i].report)}});
  }
  SYNCLINE_ASSIGN_OR_RETURN(Json reply, remote.Call(ProtoOp::kFilesBegin,
                                                    {{"source", SourceJson()}, {"items", items}}));
  return DecodeFilesBeginReply(reply, chunk_counts);
}

void Pusher::PushFileBatch(Remote& remote, const Destination& dest, const std::vector<Work>& works,
                           SentChunks* sent, std::vector<Outcome>* out) {
  std::vector<Outcome> outcomes(works.size());
  for (size_t i = 0; i < works.size(); ++i) outcomes[i].report = NewReport(dest, works[i].item, works[i].type);
  std::vector<bool> reported(works.size(), true);
  std::vector<size_t> alone;  // pushed one by one after the batch
  auto finish = [&] {
    for (size_t i = 0; i < works.size(); ++i) {
      if (reported[i]) out->push_back(std::move(outcomes[i]));
    }
    for (size_t i : alone) {
      Work w = works[i];
      if (Status s = Refresh(&w); !s.ok()) {
        Outcome o;
        o.report = NewReport(dest, w.item, w.type);
        out->push_back(std::move(Fail(&o, s)));
        continue;
      }
      PushFile(remote, dest, std::move(w), sent, out);
    }
  };

  // 1. One file-begin for the batch: outcomes, need lists, and the locks.
  Result<std::vector<FileBeginResult>> begun = BeginBatch(remote, works, outcomes);
  if (!begun.ok()) {
    for (Outcome& o : outcomes) Fail(&o, begun.status());
    return finish();
  }
  // 2. The needed chunks of every file that proceeds, sharing requests.
  std::vector<size_t> proceeding;
  Status sent_all;
  {
    ChunkSender sender(store_, db_, &remote, sent);
    for (size_t i = 0; i < works.size(); ++i) {
      const FileBeginResult& r = (*begun)[i];
      const bool content = works[i].type == SyncType::kContentUpdate;
      if (!r.reply) {
        Fail(&outcomes[i], r.error);
      } else if (r.reply->outcome == ProtoOutcome::kNeedsContent && !content) {
        reported[i] = false;  // the destination lacks the content: it goes alone, whole
        alone.push_back(i);
      } else if (r.reply->outcome == ProtoOutcome::kNeedsContent ||
                 (r.reply->outcome == ProtoOutcome::kProceed && !content)) {
        Fail(&outcomes[i], Status::ProtocolError(
                               "destination's reply to files-begin: outcome '" +
                               std::string(ProtoOutcomeName(r.reply->outcome)) + "' for a " +
                               std::string(SyncTypeName(works[i].type))));
      } else if (r.reply->outcome != ProtoOutcome::kProceed) {
        Settle(&outcomes[i], r.reply->outcome);
      } else {
        proceeding.push_back(i);
        if (sent_all.ok()) sent_all = sender.Add(works[i].item, *r.reply, &outcomes[i].report);
      }
    }
    if (sent_all.ok()) sent_all = sender.Finish();
  }
  if (proceeding.empty()) return finish();
  if (!sent_all.ok()) {
    for (size_t i : proceeding) Fail(&outcomes[i], sent_all);  // their locks expire
    return finish();
  }
  // 3. One commit; files that changed here meanwhile are given up and go alone.
  Json commits = Json::array();
  Json aborts = Json::array();
  std::vector<size_t> committed;
  for (size_t i : proceeding) {
    if (!Unchanged(works[i].item).ok()) {
      aborts.push_back(ItemRefToJson(works[i].item.ref()));
      reported[i] = false;
      alone.push_back(i);
      continue;
    }
    commits.push_back({{"item", ItemToJson(works[i].item)},
                       {"report", SyncReportToJson(outcomes[i].report)}});
    committed.push_back(i);
  }
  Result<std::vector<ItemResult>> results = [&]() -> Result<std::vector<ItemResult>> {
    SYNCLINE_ASSIGN_OR_RETURN(
        Json reply, remote.Call(ProtoOp::kFilesCommit,
                                {{"source", SourceJson()}, {"items", commits}, {"abort", aborts}}));
    return DecodeFilesCommitReply(reply, committed.size());
  }();
  for (size_t k = 0; k < committed.size(); ++k) {
    Outcome& o = outcomes[committed[k]];
    if (!results.ok()) {
      Fail(&o, results.status());
    } else if ((*results)[k].outcome) {
      Settle(&o, *(*results)[k].outcome);
    } else {
      Fail(&o, (*results)[k].error);
    }
  }
  finish();
}

Status Pusher::SaveReports(const std::vector<Outcome>& outcomes) {
  if (outcomes.empty()) return Status::OK();
  return store_->Write(db_, [&](WriteTransaction& txn) -> Status {
    for (const Outcome& o : outcomes) {
      SYNCLINE_RETURN_IF_ERROR(
          txn.PutReport(ReportDirection::kOutgoing, SyncReportToRecord(o.report)));
    }
    return Status::OK();
  });
}

std::vector<ItemRef> Pusher::LoadConfirmations(const std::string& url) {
  Result<std::vector<ItemRef>> refs = store_->GetConfirmations(db_, url);
  // Unreadable: the next run confirms less, and a lost item waits for the periodic repair.
  return refs.ok() ? std::move(*refs) : std::vector<ItemRef>();
}

void Pusher::SaveConfirmations(const std::string& url, const std::vector<ItemRef>& refs) {
  // A lost list costs a re-check of items already there, never a lost item: the watermark
  // only passes settled items.
  (void)store_->Write(db_, [&](WriteTransaction& txn) { return txn.SetConfirmations(url, refs); });
}

std::vector<std::vector<Pusher::Outcome>> Pusher::RunUnits(
    Remote& remote, const Destination& dest, const std::vector<std::vector<Work>>& units,
    const PushOptions& options, SentChunks* sent) {
  std::vector<std::vector<Outcome>> results(units.size());
  std::atomic<size_t> next{0};
  auto worker = [&](Remote* r) {
    std::unique_ptr<Remote> own;
    if (!r) {
      own = factory_(dest);
      r = own.get();
    }
    for (size_t i; (i = next++) < units.size();) {
      if (options.stop && options.stop->load()) break;
      results[i] = RunUnit(*r, dest, units[i], sent);  // never throws
    }
  };
  size_t threads = std::min<size_t>(units.size(), static_cast<size_t>(std::max(1, options.limit)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker, nullptr);
  if (threads > 0) worker(&remote);
  for (auto& t : pool) t.join();
  return results;
}

void Pusher::WalkFeed(Remote& remote, const Destination& dest, const PushOptions& options,
                      Walk* walk, DestinationRun* run) {
  while (!(options.stop && options.stop->load())) {
    Result<ChangePage> page = store_->ListChanges(db_, walk->since, kChangePage);
    if (!page.ok()) {
      run->error = page.status();
      return;
    }
    std::vector<ItemRef> refs;
    for (const Change& c : page->changes) refs.push_back(c.ref());
    for (const ItemRef& r : walk->confirm) {
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(r);
    }
    walk->confirm.clear();
    if (refs.empty()) return;
    std::vector<Work> works;
    std::vector<ItemRef> skipped;
    if (Status s = Plan(remote, refs, &works, &skipped); !s.ok()) {
      run->error = s;
      return;
    }
    auto units = Units(std::move(works));
    size_t take = TakeWithin(&units, &walk->budget);
    if (activity_) {
      std::vector<ActivityEntry> queued;
      for (const auto& unit : units) {
        for (const Work& w : unit) queued.push_back(w.Entry(dest.url));
      }
      activity_->SetPending(dest.url, queued);
    }
    std::vector<std::vector<Work>> now(units.begin(), units.begin() + static_cast<ptrdiff_t>(take));
    std::vector<std::vector<Outcome>> results = RunUnits(remote, dest, now, options, &walk->sent);

    // Settled items, by etag, to move the watermark over the feed's prefix.
    std::map<ItemRef, bool> settled;
    for (const ItemRef& r : skipped) settled[r] = true;
    for (auto& unit_results : results) {
      for (Outcome& o : unit_results) {
        // An item with several reports (a rename's fallback) is settled only if all are.
        auto [it, fresh] = settled.try_emplace(o.report.ref, o.settled);
        if (!fresh) it->second = it->second && o.settled;
        if (o.applied) walk->pushed.push_back(o.report.ref);
        run->AddReport(std::move(o.report));
      }
    }
    for (const Change& c : page->changes) {
      if (walk->blocked) break;
      auto it = settled.find(c.ref());
      if (it == settled.end() || !it->second) {
        walk->blocked = true;
        break;
      }
      walk->watermark = c.etag;
    }
    if (!page->changes.empty()) walk->since = page->changes.back().etag;
    if (take < units.size()) {
      run->more_pending = true;
      walk->left_pending.clear();
      for (size_t u = take; u < units.size(); ++u) {
        for (const Work& w : units[u]) walk->left_pending.push_back(w.Entry(dest.url));
      }
      return;
    }
    if (page->changes.size() < static_cast<size_t>(kChangePage)) return;
  }
}

DestinationRun Pusher::Run(const Destination& dest, const PushOptions& options) {
  DestinationRun run;
  run.destination_url = dest.url;
  std::unique_ptr<Remote> remote = factory_(dest);
  Result<int64_t> start_etag =
      CallForLastEtag(*remote, ProtoOp::kLastEtag, {{"source", SourceJson()}});
  if (!start_etag.ok()) {
    run.error = start_etag.status();
    return run;
  }
  Walk walk;
  walk.since = walk.watermark = *start_etag;
  walk.confirm = LoadConfirmations(dest.url);
  const std::vector<ItemRef> previous = walk.confirm;
  if (!options.drain) walk.budget = static_cast<size_t>(std::max(1, options.limit));
  WalkFeed(*remote, dest, options, &walk, &run);
  run.walked_to = walk.since;
  // What this run left for a later one stays listed as pending.
  if (activity_) activity_->SetPending(dest.url, std::move(walk.left_pending));

  run.last_etag = *start_etag;
  if (walk.watermark > *start_etag) {
    Result<int64_t> set = CallForLastEtag(
        *remote, ProtoOp::kSetLastEtag, {{"source", SourceJson()}, {"last_etag", walk.watermark}});
    if (set.ok()) {
      run.last_etag = *set;
    } else if (run.error.ok()) {
      run.error = set.status();
    }
  }
  // A run that failed may not have checked the previous run's items: keep them to confirm.
  if (!run.error.ok()) walk.pushed.insert(walk.pushed.end(), previous.begin(), previous.end());
  SaveConfirmations(dest.url, walk.pushed);
  return run;
}

Result<SyncReport> Pusher::PushItem(const Destination& dest, const ItemRef& ref) {
  SYNCLINE_ASSIGN_OR_RETURN(Item local, store_->GetItem(db_, ref.kind, ref.collection, ref.key));
  std::unique_ptr<Remote> remote = factory_(dest);
  std::vector<Work> works;
  std::vector<ItemRef> skipped;
  SYNCLINE_RETURN_IF_ERROR(Plan(*remote, {ref}, &works, &skipped));
  if (works.empty()) {
    SyncReport r = NewReport(dest, local, local.deleted ? SyncType::kDelete : SyncType::kContentUpdate);
    r.finished_at = clock_->NowMicros();
    return r;  // the destination has this version or a newer one
  }
  SentChunks sent;
  std::vector<Outcome> out = RunUnit(*remote, dest, works, &sent);
  if (out.empty()) return Status::Internal("push produced no report");
  return std::move(out.back().report);
}

}  // namespace syncline
