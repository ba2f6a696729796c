// The embedded default Store: one SQLite database (WAL) plus pack files for chunk bytes.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"
#include "syncline/env.h"

namespace syncline {

struct SqliteStoreOptions {
  // Sync the WAL and packs on every commit (survives power loss). When false, commits still
  // survive a crash of the process, not of the machine.
  bool sync_commits = true;
  // Keep the collection trees inside every write. Off only to measure what keeping them costs
  // (bench/collection_sync.py): the trees are then wrong until `db verify` repairs them.
  bool collection_trees = true;
};

// Opens or creates the store in folder `dir` (syncline.db, packs/). Applies pending schema
// files. The Env must outlive the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& dir, Env* env,
                                               const SqliteStoreOptions& options = {});

}  // namespace syncline
