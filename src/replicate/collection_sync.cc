// Running one collection sync (collection_sync.h): compare or list, fetch into a stage, apply.
#include "replicate/collection_sync.h"

#include <future>

#include "replicate/snapshot_source.h"

namespace syncline {

namespace {

// Every live document of the master, staged for a replace.
Status StageEverything(Store* store, const std::string& db, const std::string& stage,
                       CollectionSource& master, const KeepGoing& keep_going,
                       const CollectionSyncProgressFn& progress, CollectionSyncResult* result) {
  // The next page is fetched while this one is staged: the master encodes and the wire moves
  // while the replica writes.
  auto fetch = [&master](std::string from) {
    return std::async(std::launch::async, [&master, from] {
      return master.DocumentsAfter(from, kFullSyncPage);
    });
  };
  std::string after;
  auto next = fetch(after);
  while (true) {
    Result<std::vector<Item>> page = next.get();
    SYNCLINE_RETURN_IF_ERROR(page.status());
    for (const Item& d : *page) {
      if (d.key <= after) return Status::ProtocolError("the master's pages are out of key order");
      after = d.key;
    }
    bool last = static_cast<int64_t>(page->size()) < kFullSyncPage;
    Status going = keep_going();
    if (!last && going.ok()) next = fetch(after);
    SYNCLINE_RETURN_IF_ERROR(going);
    Status staged = store->StageDocuments(db, stage, *page);
    if (!staged.ok()) {
      if (!last) (void)next.get();  // the fetch uses `master`: it must end before we return
      return staged;
    }
    result->documents_transferred += static_cast<int64_t>(page->size());
    progress({"fetching", result->documents_transferred});
    if (last) return Status::OK();
  }
}

// The differing documents, fetched from the master and staged, and the removals.
Status StageDifferences(Store* store, const std::string& db, const std::string& stage,
                        CollectionSource& master, const CollectionDiff& diff,
                        const KeepGoing& keep_going, const CollectionSyncProgressFn& progress,
                        CollectionSyncResult* result) {
  std::vector<Item> removals;
  for (const std::string& key : diff.remove) {
    Item gone;
    gone.key = key;
    gone.deleted = true;
    removals.push_back(std::move(gone));
  }
  SYNCLINE_RETURN_IF_ERROR(store->StageDocuments(db, stage, removals));
  for (size_t i = 0; i < diff.fetch.size(); i += kMaxKeysPerCall) {
    SYNCLINE_RETURN_IF_ERROR(keep_going());
    std::vector<std::string> keys(diff.fetch.begin() + i,
                                  diff.fetch.begin() + std::min(diff.fetch.size(), i + kMaxKeysPerCall));
    SYNCLINE_ASSIGN_OR_RETURN(auto docs, master.Documents(keys));
    // A key the master listed but no longer returns is gone there: remove it here too.
    std::vector<Item> staged;
    size_t d = 0;
    for (const std::string& key : keys) {
      if (d < docs.size() && docs[d].key == key) {
        staged.push_back(std::move(docs[d++]));
      } else {
        Item gone;
        gone.key = key;
        gone.deleted = true;
        staged.push_back(std::move(gone));
      }
    }
    if (d != docs.size()) return Status::ProtocolError("the master sent documents it was not asked for");
    SYNCLINE_RETURN_IF_ERROR(store->StageDocuments(db, stage, staged));
    result->documents_transferred += static_cast<int64_t>(d);
    progress({"fetching", result->documents_transferred});
  }
  return Status::OK();
}

Result<CollectionDiff> Compare(Store* store, const std::string& db, const std::string& collection,
                               CollectionSyncMethod method, CollectionSource& master,
                               const KeepGoing& keep_going) {
  SYNCLINE_ASSIGN_OR_RETURN(auto snapshot, store->OpenSnapshot(db));
  SnapshotSource mine(std::move(snapshot), collection);
  if (method == CollectionSyncMethod::kKeys) return DiffByKeys(master, mine, keep_going);
  return DiffByTree(master, mine, keep_going);
}

Result<CollectionSyncResult> StageAndApply(Store* store, const std::string& db,
                                           const std::string& collection,
                                           const std::string& stage, CollectionSyncMethod method,
                                           CollectionSource& master, const KeepGoing& keep_going,
                                           const CollectionSyncProgressFn& progress) {
  CollectionSyncResult result;
  result.method = method;
  result.master_etag = master.etag();
  StageMode mode = StageMode::kPatch;
  if (method == CollectionSyncMethod::kFull) {
    mode = StageMode::kReplace;
    SYNCLINE_RETURN_IF_ERROR(
        StageEverything(store, db, stage, master, keep_going, progress, &result));
  } else {
    progress({"comparing", 0});
    SYNCLINE_ASSIGN_OR_RETURN(CollectionDiff diff,
                              Compare(store, db, collection, method, master, keep_going));
    result.nodes_compared = diff.nodes_compared;
    result.entries_compared = diff.entries_compared;
    SYNCLINE_RETURN_IF_ERROR(
        StageDifferences(store, db, stage, master, diff, keep_going, progress, &result));
  }
  SYNCLINE_RETURN_IF_ERROR(keep_going());
  progress({"applying", result.documents_transferred});
  SYNCLINE_ASSIGN_OR_RETURN(result.counts, ApplyStage(store, db, collection, stage, mode));
  return result;
}

}  // namespace

std::string_view CollectionSyncMethodName(CollectionSyncMethod m) {
  switch (m) {
    case CollectionSyncMethod::kFull: return "full";
    case CollectionSyncMethod::kMerkle: return "merkle";
    case CollectionSyncMethod::kKeys: return "keys";
  }
  return "merkle";
}

Result<CollectionSyncMethod> ParseCollectionSyncMethod(std::string_view name) {
  for (auto m : {CollectionSyncMethod::kFull, CollectionSyncMethod::kMerkle,
                 CollectionSyncMethod::kKeys}) {
    if (CollectionSyncMethodName(m) == name) return m;
  }
  return Status::InvalidArgument("unknown collection sync method '" + std::string(name) +
                                 "' (full, merkle or keys)");
}

Result<CollectionSyncResult> RunCollectionSync(Store* store, const std::string& db,
                                               const std::string& collection,
                                               const std::string& stage,
                                               CollectionSyncMethod method,
                                               CollectionSource& master,
                                               const KeepGoing& keep_going,
                                               const CollectionSyncProgressFn& progress) {
  // A stage left by an earlier attempt of the same job starts over.
  SYNCLINE_RETURN_IF_ERROR(store->DropStage(db, stage));
  Result<CollectionSyncResult> result =
      StageAndApply(store, db, collection, stage, method, master, keep_going, progress);
  Status dropped = store->DropStage(db, stage);
  if (!result.ok()) return result.status();
  // Applied already; a stage left behind is only space, dropped by the next attempt.
  (void)dropped;
  return result;
}

}  // namespace syncline
