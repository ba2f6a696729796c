// Applying what a collection sync staged: one write transaction makes the replica's collection
// hold the staged documents, each with the master's version vector and body, so a failure at
// any point before the commit leaves the collection exactly as it was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace syncline {

// kPatch: only the staged keys change (incremental). kReplace: every live document that is not
// staged is removed too (full).
enum class StageMode { kPatch, kReplace };

struct ApplyCounts {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t removed = 0;
  int64_t unchanged = 0;

  bool operator==(const ApplyCounts&) const = default;
};

// What to do with one page of staged documents, given the replica's live documents in the same
// key range (kReplace) or among the same keys (kPatch), both in key order: the documents to
// write as the master has them, and the replica's documents to remove.
struct PagePlan {
  std::vector<Item> puts;
  std::vector<Item> removes;
  ApplyCounts counts;
};
PagePlan PlanStagedPage(const std::vector<Item>& staged, const std::vector<Item>& local,
                        StageMode mode);

// Inside a write: makes each of `docs` (in key order; `deleted` ones to remove) the replica's
// state of its key, as ApplyStage's kPatch does for one page.
Result<ApplyCounts> ApplyPatch(WriteTransaction& txn, const std::string& collection,
                               const std::vector<Item>& docs, const std::string& node_id);

// Applies stage `stage` to `collection` of `db` in one write transaction. Removals become
// tombstones whose version vector descends from the replica's, bumped for `node_id`.
Result<ApplyCounts> ApplyStage(Store* store, const std::string& db, const std::string& collection,
                               const std::string& stage, StageMode mode);

}  // namespace syncline
