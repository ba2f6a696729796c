// Applying a collection sync's stage (collection_apply.h).
#include "replicate/collection_apply.h"

#include "sync/version_vector.h"

namespace syncline {

namespace {

constexpr int64_t kApplyPage = 1000;

bool SameState(const Item& staged, const Item& local) {
  return staged.version_vector == local.version_vector && staged.body == local.body;
}

// The replica's live documents that the page's staged documents meet.
Result<std::vector<Item>> LocalForPage(WriteTransaction& txn, const std::string& collection,
                                       const std::vector<Item>& staged, const std::string& after,
                                       bool last_page, StageMode mode) {
  std::vector<Item> out;
  if (mode == StageMode::kPatch) {
    for (const Item& s : staged) {
      Result<Item> local = txn.Get(ItemKind::kDocument, collection, s.key);
      if (!local.ok() && local.status().IsNotFound()) continue;
      if (!local.ok()) return local.status();
      if (!local->deleted) out.push_back(std::move(local).value());
    }
    return out;
  }
  // The last page reaches to the end of the collection: whatever the master lacks goes.
  std::string through = last_page || staged.empty() ? "" : staged.back().key;
  std::string from = after;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(auto page, txn.ListDocuments(collection, from, through, kApplyPage));
    bool more = static_cast<int64_t>(page.size()) == kApplyPage;
    if (!page.empty()) from = page.back().key;
    for (Item& i : page) out.push_back(std::move(i));
    if (!more) break;
  }
  return out;
}

Status WritePlan(WriteTransaction& txn, const std::string& collection, const std::string& node_id,
                 PagePlan* plan) {
  for (Item& put : plan->puts) {
    put.kind = ItemKind::kDocument;
    put.collection = collection;
    put.deleted = false;
    SYNCLINE_RETURN_IF_ERROR(txn.Put(&put));
    // The master's version settles the document: a conflict kept aside for it is moot.
    SYNCLINE_RETURN_IF_ERROR(txn.DeleteConflict(put.ref()));
  }
  for (Item& gone : plan->removes) {
    SYNCLINE_ASSIGN_OR_RETURN(VersionVector vv, VersionVector::Parse(gone.version_vector));
    vv.Bump(node_id);
    gone.version_vector = vv.ToJson();
    gone.deleted = true;
    gone.body.clear();
    gone.updated_at = 0;  // now
    SYNCLINE_RETURN_IF_ERROR(txn.Put(&gone));
    SYNCLINE_RETURN_IF_ERROR(txn.DeleteConflict(gone.ref()));
  }
  return Status::OK();
}

}  // namespace

PagePlan PlanStagedPage(const std::vector<Item>& staged, const std::vector<Item>& local,
                        StageMode mode) {
  PagePlan plan;
  size_t i = 0, j = 0;
  while (i < staged.size() || j < local.size()) {
    if (j == local.size() || (i < staged.size() && staged[i].key < local[j].key)) {
      const Item& s = staged[i++];
      if (!s.deleted) {
        plan.puts.push_back(s);
        ++plan.counts.inserted;
      }
    } else if (i == staged.size() || local[j].key < staged[i].key) {
      const Item& l = local[j++];
      if (mode == StageMode::kReplace) {
        plan.removes.push_back(l);
        ++plan.counts.removed;
      }
    } else {
      const Item& s = staged[i++];
      const Item& l = local[j++];
      if (s.deleted) {
        plan.removes.push_back(l);
        ++plan.counts.removed;
      } else if (SameState(s, l)) {
        ++plan.counts.unchanged;
      } else {
        plan.puts.push_back(s);
        ++plan.counts.updated;
      }
    }
  }
  return plan;
}

Result<ApplyCounts> ApplyPatch(WriteTransaction& txn, const std::string& collection,
                               const std::vector<Item>& docs, const std::string& node_id) {
  SYNCLINE_ASSIGN_OR_RETURN(auto local,
                            LocalForPage(txn, collection, docs, "", true, StageMode::kPatch));
  PagePlan plan = PlanStagedPage(docs, local, StageMode::kPatch);
  SYNCLINE_RETURN_IF_ERROR(WritePlan(txn, collection, node_id, &plan));
  return plan.counts;
}

Result<ApplyCounts> ApplyStage(Store* store, const std::string& db, const std::string& collection,
                               const std::string& stage, StageMode mode) {
  ApplyCounts total;
  const std::string& node_id = store->node_id();
  SYNCLINE_RETURN_IF_ERROR(store->Write(db, [&](WriteTransaction& txn) -> Status {
    total = {};
    std::string after;
    while (true) {
      SYNCLINE_ASSIGN_OR_RETURN(auto staged, txn.ListStaged(stage, after, kApplyPage));
      bool last_page = static_cast<int64_t>(staged.size()) < kApplyPage;
      SYNCLINE_ASSIGN_OR_RETURN(auto local,
                                LocalForPage(txn, collection, staged, after, last_page, mode));
      PagePlan plan = PlanStagedPage(staged, local, mode);
      SYNCLINE_RETURN_IF_ERROR(WritePlan(txn, collection, node_id, &plan));
      total.inserted += plan.counts.inserted;
      total.updated += plan.counts.updated;
      total.removed += plan.counts.removed;
      total.unchanged += plan.counts.unchanged;
      if (last_page) break;
      after = staged.back().key;
    }
    return Status::OK();
  }));
  return total;
}

}  // namespace syncline
