// Pusher: planning, the bounded worker pool, and the per-type pushes.
#include "replicate/pusher.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "chunk/manifest.h"
#include "replicate/chunk_batch.h"
#include "replicate/chunk_delta.h"
#include "util/base64.h"
#include "replicate/receiver.h"
#include "sync/config_names.h"
#include "sync/item_json.h"

namespace syncline {

namespace {

constexpr int64_t kChangePage = 500;
constexpr size_t kDocBatchItems = 500;
constexpr size_t kDocBatchBytes = 4u << 20;
constexpr size_t kChunkBatchBytes = 8u << 20;
constexpr int kMaxAttempts = 4;  // pushes of one file aborted by local changes, then next run

}  // namespace

struct Pusher::Work {
  Item item;  // this node's version, as planned
  SyncType type = SyncType::kContentUpdate;

  ActivityEntry Entry(const std::string& url) const { return {item.ref(), item.etag, type, url}; }
};

// One item's result: its report, and whether the destination now has it settled (applied,
// already there, or recorded as a conflict), which lets the last-applied etag move past it.
struct Pusher::Outcome {
  SyncReport report;
  bool settled = false;
  bool applied = false;
};

Json DestinationRunToJson(const DestinationRun& run) {
  Json reports = Json::array();
  for (const auto& r : run.reports) reports.push_back(SyncReportToJson(r));
  return {{"destination_url", run.destination_url},
          {"reports", reports},
          {"error", run.error ? Json(*run.error) : Json()},
          {"more_pending", run.more_pending},
          {"last_etag", run.last_etag}};
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

Status Pusher::Plan(Remote& remote, const std::vector<ItemRef>& refs, std::vector<Work>* works,
                    std::vector<ItemRef>* skipped) {
  for (size_t start = 0; start < refs.size(); start += kMaxStateItems) {
    size_t end = std::min(refs.size(), start + kMaxStateItems);
    Json items = Json::array();
    for (size_t i = start; i < end; ++i) items.push_back(ItemRefToJson(refs[i]));
    SYNCLINE_ASSIGN_OR_RETURN(Json resp, remote.Call("state", {{"items", items}}));
    const Json& states = resp["items"];
    if (!states.is_array() || states.size() != end - start) {
      return Status::Internal("destination answered a state request with the wrong count");
    }
    for (size_t i = start; i < end; ++i) {
      const Json& s = states[i - start];
      PeerState peer;
      peer.exists = s.value("exists", false);
      if (peer.exists) {
        peer.version_vector = s.value("version_vector", Json::object()).dump();
        peer.deleted = s.value("deleted", false);
        peer.content_hash = s.value("content_hash", "");
        peer.conflict = s.value("conflict", false);
      }
      Result<Item> local = store_->GetItem(db_, refs[i].kind, refs[i].collection, refs[i].key);
      if (local.status().IsNotFound()) {
        skipped->push_back(refs[i]);
        continue;
      }
      if (!local.ok()) return local.status();
      SYNCLINE_ASSIGN_OR_RETURN(std::optional<SyncType> type, DecideSyncType(*local, peer));
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
  std::vector<Work> docs;
  size_t doc_bytes = 0;
  for (Work& w : works) {
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
  if (!docs.empty()) units.push_back(std::move(docs));
  return units;
}

std::vector<Pusher::Outcome> Pusher::RunUnit(Remote& remote, const Destination& dest,
                                             const std::vector<Work>& unit) {
  std::vector<ActivityEntry> entries;
  for (const Work& w : unit) {
    entries.push_back(w.Entry(dest.url));
    if (activity_) activity_->Start(entries.back());
  }
  std::vector<Outcome> out;
  if (unit.front().item.kind == ItemKind::kDocument) {
    out = PushDocuments(remote, dest, unit);
  } else {
    PushFile(remote, dest, unit.front(), &out);
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
  Result<Json> resp = remote.Call(
      "apply-docs", {{"source", SourceJson()}, {"destination_url", dest.url}, {"items", items}});
  int64_t now = clock_->NowMicros();
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].report.finished_at = now;
    if (!resp.ok()) {
      out[i].report.error = resp.status().message();
      out[i].report.bytes_transferred = 0;
      continue;
    }
    const Json& results = (*resp)["results"];
    const Json r = results.is_array() && i < results.size() ? results[i] : Json();
    std::string outcome = r.is_object() && r["outcome"].is_string() ? r["outcome"].get<std::string>() : "";
    if (outcome.empty()) {
      out[i].report.error = r.is_object() && r["error"].is_string() ? r["error"].get<std::string>()
                                                                    : "no result from destination";
      continue;
    }
    out[i].settled = true;
    out[i].applied = outcome == "applied";
    if (outcome == "conflict") {
      out[i].report.error = "document " + out[i].report.ref.key + " is conflicted";
    }
  }
  return out;
}

Status Pusher::SendNeeded(Remote& remote, const Item& item, const Json& begin,
                          SyncReport* report) {
  SYNCLINE_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Decode(item.manifest));
  const Json& need = begin["need"];
  BasisIndex basis;
  if (begin.contains("basis") && begin["basis"].is_string()) {
    Result<std::string> sig = Base64Decode(begin["basis"].get<std::string>());
    if (sig.ok()) {
      Result<BasisIndex> parsed = BasisIndex::Parse(*sig);
      if (parsed.ok()) basis = std::move(*parsed);
    }
  }
  int64_t sent_content = 0;  // content bytes that travel, literal or whole
  ChunkBatchWriter batch;
  std::string recipes, recipe, chunk;
  size_t recipe_count = 0;
  auto changed = [&]() -> Status {
    // The source never locks: if the file changed meanwhile, give this version up.
    Result<Item> now = store_->GetItem(db_, ItemKind::kFile, "", item.key);
    if (!now.ok() || now->etag != item.etag) {
      return Status::PreconditionFailed("file '" + item.key + "' changed during the push");
    }
    return Status::OK();
  };
  auto send_batch = [&]() -> Status {
    if (batch.chunk_count() == 0) return Status::OK();
    SYNCLINE_RETURN_IF_ERROR(remote.SendBinary("chunks", batch.bytes()).status());
    report->bytes_transferred += static_cast<int64_t>(batch.bytes().size());
    batch.Clear();
    return changed();
  };
  auto send_recipes = [&]() -> Status {
    if (recipe_count == 0) return Status::OK();
    SYNCLINE_ASSIGN_OR_RETURN(Json r, remote.SendBinary("chunk-recipes", recipes));
    report->bytes_transferred += static_cast<int64_t>(recipes.size());
    recipes.clear();
    recipe_count = 0;
    // Chunks the destination could not rebuild go whole.
    for (const Json& hex : r.value("failed", Json::array())) {
      Sha256Digest h;
      if (!hex.is_string() || !HexDecode(hex.get<std::string>(), &h)) continue;
      SYNCLINE_RETURN_IF_ERROR(store_->ReadChunk(db_, h, &chunk, Store::ChunkCheck::kTrusted));
      batch.Add(h, chunk);
      sent_content += static_cast<int64_t>(chunk.size());
    }
    SYNCLINE_RETURN_IF_ERROR(send_batch());
    return changed();
  };
  for (const Json& index : need) {
    if (!index.is_number_unsigned() || index.get<size_t>() >= manifest.chunks.size()) {
      return Status::Internal("destination asked for a chunk the manifest does not have");
    }
    const ChunkRef& c = manifest.chunks[index.get<size_t>()];
    SYNCLINE_RETURN_IF_ERROR(store_->ReadChunk(db_, c.hash, &chunk, Store::ChunkCheck::kTrusted));
    size_t literal = chunk.size();
    if (!basis.empty()) {
      recipe.clear();
      literal = AppendRecipe(c.hash, chunk, basis, &recipe);
    }
    if (literal < chunk.size() * 8 / 10) {
      recipes += recipe;
      ++recipe_count;
    } else {
      batch.Add(c.hash, chunk);
      literal = chunk.size();
    }
    sent_content += static_cast<int64_t>(literal);
    if (batch.bytes().size() >= kChunkBatchBytes) SYNCLINE_RETURN_IF_ERROR(send_batch());
    if (recipes.size() >= kChunkBatchBytes) SYNCLINE_RETURN_IF_ERROR(send_recipes());
  }
  SYNCLINE_RETURN_IF_ERROR(send_recipes());
  SYNCLINE_RETURN_IF_ERROR(send_batch());
  SYNCLINE_RETURN_IF_ERROR(changed());
  report->need_list_length = static_cast<int64_t>(need.size());
  report->bytes_copied = std::max<int64_t>(0, item.size - sent_content);
  return Status::OK();
}

void Pusher::PushFile(Remote& remote, const Destination& dest, Work work,
                      std::vector<Outcome>* out) {
  Outcome o;
  o.report = NewReport(dest, work.item, work.type);
  auto finish = [&](const std::string& outcome) {
    o.report.finished_at = clock_->NowMicros();
    o.settled = outcome == "applied" || outcome == "up_to_date" || outcome == "conflict";
    o.applied = outcome == "applied";
    if (outcome == "conflict") o.report.error = "file " + work.item.key + " is conflicted";
    out->push_back(o);
  };
  auto fail = [&](const Status& s) {
    o.report.finished_at = clock_->NowMicros();
    o.report.error = s.message();
    out->push_back(o);
  };
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (attempt > 0) {
      // Retry with the version the file has now.
      Result<Item> now = store_->GetItem(db_, ItemKind::kFile, "", work.item.key);
      if (!now.ok()) return fail(now.status());
      work.item = std::move(*now);
      if (work.item.deleted) {
        work.type = RenamedTo(work.item).empty() ? SyncType::kDelete : SyncType::kRename;
      } else if (work.type != SyncType::kMetadataUpdate) {
        work.type = SyncType::kContentUpdate;
      }
      o.report = NewReport(dest, work.item, work.type);
    }
    if (work.type == SyncType::kRename) {
      std::string target_name = RenamedTo(work.item);
      Result<Item> target = store_->GetItem(db_, ItemKind::kFile, "", target_name);
      if (target.ok() && !target->deleted) {
        o.report.bytes_copied = target->size;
        Result<Json> r = remote.Call("rename", {{"source", SourceJson()},
                                                {"from", ItemToJson(work.item)},
                                                {"to", ItemToJson(*target)},
                                                {"report", SyncReportToJson(o.report)}});
        if (!r.ok()) return fail(r.status());
        std::string outcome = (*r).value("outcome", "");
        if (outcome != "needs_content") return finish(outcome);
        // The destination lacks the old file: delete there, then send the new one whole.
        o.report.bytes_copied = 0;
        PushFile(remote, dest, {*target, SyncType::kContentUpdate}, out);
      }
      work.type = SyncType::kDelete;
      o.report.type = SyncType::kDelete;
    }
    Result<Json> begin = remote.Call("file-begin", {{"source", SourceJson()},
                                                    {"type", SyncTypeName(work.type)},
                                                    {"item", ItemToJson(work.item)},
                                                    {"report", SyncReportToJson(o.report)}});
    if (!begin.ok()) return fail(begin.status());
    std::string outcome = (*begin).value("outcome", "");
    if (outcome == "needs_content") {
      work.type = SyncType::kContentUpdate;
      o.report.type = work.type;
      --attempt;  // not an abort; happens at most once since the type is now final
      continue;
    }
    if (outcome != "proceed") return finish(outcome);
    Status sent = SendNeeded(remote, work.item, *begin, &o.report);
    if (sent.code() == Status::Code::kPreconditionFailed) {
      (void)remote.Call("file-abort", {{"source", SourceJson()},
                                       {"item", ItemRefToJson({ItemKind::kFile, "", work.item.key})}});
      continue;  // aborted: the file changed here
    }
    if (!sent.ok()) return fail(sent);
    Result<Json> commit = remote.Call("file-commit", {{"source", SourceJson()},
                                                      {"item", ItemToJson(work.item)},
                                                      {"report", SyncReportToJson(o.report)}});
    if (!commit.ok()) return fail(commit.status());
    return finish((*commit).value("outcome", ""));
  }
  fail(Status::Unavailable("file '" + work.item.key + "' kept changing during the push; "
                           "it will be pushed on the next run"));
}

Status Pusher::SaveReports(const std::vector<Outcome>& outcomes) {
  if (outcomes.empty()) return Status::OK();
  return store_->Write(db_, [&](WriteTransaction& txn) -> Status {
    for (const Outcome& o : outcomes) {
      SYNCLINE_RETURN_IF_ERROR(txn.PutConfig(config_names::Item(config_names::kReports, o.report.ref),
                                             SyncReportToJson(o.report).dump()));
    }
    return Status::OK();
  });
}

DestinationRun Pusher::Run(const Destination& dest, const PushOptions& options) {
  DestinationRun run;
  run.destination_url = dest.url;
  std::unique_ptr<Remote> remote = factory_(dest);
  Result<Json> last = remote->Call("last-etag", {{"source", SourceJson()}});
  if (!last.ok()) {
    run.error = last.status().message();
    return run;
  }
  const int64_t start_etag = (*last).value("last_etag", int64_t{0});
  int64_t since = start_etag, watermark = start_etag;
  bool blocked = false;  // an item failed: the watermark stays below it for this run

  // The items pushed by the previous run, to confirm they arrived.
  std::vector<ItemRef> confirm;
  std::string confirm_name = config_names::kConfirmations + dest.url;
  if (Result<std::string> text = store_->GetConfig(db_, confirm_name); text.ok()) {
    Result<Json> j = ParseJson(*text);
    if (j.ok() && j->is_array()) {
      for (const Json& r : *j) {
        if (Result<ItemRef> ref = ItemRefFromJson(r); ref.ok()) confirm.push_back(*ref);
      }
    }
  }
  const std::vector<ItemRef> previous = confirm;
  std::vector<ActivityEntry> left_pending;
  std::vector<ItemRef> pushed;
  size_t budget = options.drain ? SIZE_MAX : static_cast<size_t>(std::max(1, options.limit));

  while (!(options.stop && options.stop->load())) {
    Result<ChangePage> page = store_->ListChanges(db_, since, kChangePage);
    if (!page.ok()) {
      run.error = page.status().message();
      break;
    }
    std::vector<ItemRef> refs;
    for (const Change& c : page->changes) refs.push_back(c.ref());
    for (const ItemRef& r : confirm) {
      if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(r);
    }
    confirm.clear();
    if (refs.empty()) break;
    std::vector<Work> works;
    std::vector<ItemRef> skipped;
    if (Status s = Plan(*remote, refs, &works, &skipped); !s.ok()) {
      run.error = s.message();
      break;
    }
    auto units = Units(std::move(works));
    size_t take = std::min(units.size(), budget);
    budget -= take;
    std::vector<ActivityEntry> queued;
    for (const auto& unit : units) {
      for (const Work& w : unit) {
        queued.push_back(w.Entry(dest.url));
      }
    }
    if (activity_) activity_->SetPending(dest.url, queued);

    // At most `limit` units at once; each thread has its own connection.
    std::vector<std::vector<Outcome>> results(take);
    std::atomic<size_t> next{0};
    auto worker = [&](Remote* r) {
      std::unique_ptr<Remote> own;
      if (!r) {
        own = factory_(dest);
        r = own.get();
      }
      for (size_t i; (i = next++) < take;) {
        if (options.stop && options.stop->load()) break;
        results[i] = RunUnit(*r, dest, units[i]);
      }
    };
    size_t threads = std::min<size_t>(take, static_cast<size_t>(std::max(1, options.limit)));
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker, nullptr);
    if (threads > 0) worker(remote.get());
    for (auto& t : pool) t.join();

    // Settled items, by etag, to move the watermark over the feed's prefix.
    std::map<ItemRef, bool> settled;
    for (const ItemRef& r : skipped) settled[r] = true;
    for (auto& unit_results : results) {
      for (Outcome& o : unit_results) {
        // An item with several reports (a rename's fallback) is settled only if all are.
        auto [it, fresh] = settled.try_emplace(o.report.ref, o.settled);
        if (!fresh) it->second = it->second && o.settled;
        if (o.applied) pushed.push_back(o.report.ref);
        run.reports.push_back(std::move(o.report));
      }
    }
    for (const Change& c : page->changes) {
      if (blocked) break;
      auto it = settled.find(c.ref());
      if (it == settled.end() || !it->second) {
        blocked = true;
        break;
      }
      watermark = c.etag;
    }
    if (!page->changes.empty()) since = page->changes.back().etag;
    if (take < units.size()) {
      run.more_pending = true;
      left_pending.clear();
      for (size_t u = take; u < units.size(); ++u) {
        for (const Work& w : units[u]) left_pending.push_back(w.Entry(dest.url));
      }
      break;
    }
    if (page->changes.size() < static_cast<size_t>(kChangePage)) break;
  }
  // What this run left for a later one stays listed as pending.
  if (activity_) activity_->SetPending(dest.url, std::move(left_pending));

  run.last_etag = start_etag;
  if (watermark > start_etag) {
    Result<Json> set = remote->Call("set-last-etag", {{"source", SourceJson()}, {"last_etag", watermark}});
    if (set.ok()) {
      run.last_etag = (*set).value("last_etag", watermark);
    } else if (!run.error) {
      run.error = set.status().message();
    }
  }
  // A run that failed may not have checked the previous run's items: keep them to confirm.
  if (run.error) pushed.insert(pushed.end(), previous.begin(), previous.end());
  Json to_confirm = Json::array();
  for (const ItemRef& r : pushed) to_confirm.push_back(ItemRefToJson(r));
  (void)store_->Write(db_, [&](WriteTransaction& txn) {
    return txn.PutConfig(confirm_name, to_confirm.dump());
  });
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
  std::vector<Outcome> out = RunUnit(*remote, dest, works);
  if (out.empty()) return Status::Internal("push produced no report");
  return std::move(out.back().report);
}

}  // namespace syncline
