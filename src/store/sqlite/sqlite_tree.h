// SQL for the collection trees and staged documents (schema 04-collection-tree.sql), shared by
// the write transaction, the snapshots and the readers of SqliteStore.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/collection_tree.h"
#include "store/item.h"
#include "store/sqlite/sqlite_db.h"
#include "syncline/result.h"

namespace syncline::sqlite_tree {

// Registers the SQL function tree_add(a, b): the 32-byte sum a + b modulo 2^256 (a NULL `a`
// counts as zero). Every connection that writes tree rows needs it.
Status RegisterFunctions(SqliteConnection* c);

// The changes one write transaction makes to the trees, gathered while it puts documents and
// written once per touched node before it commits.
class TreeDelta {
 public:
  TreeDelta() = default;
  TreeDelta(const TreeDelta&) = delete;  // last_ points into collections_
  TreeDelta& operator=(const TreeDelta&) = delete;

  void Add(const std::string& collection, uint32_t key_hash, const Sha256Digest& hash);
  void Remove(const std::string& collection, uint32_t key_hash, const Sha256Digest& hash);
  // Writes the gathered changes and forgets them.
  Status Flush(SqliteConnection* c, int64_t db_id);

 private:
  // One collection's touched stored nodes, by NodeId.
  using Nodes = std::unordered_map<uint32_t, TreeSum>;
  static_assert(kTreeBitsPerLevel * kTreeStoredLow <= 24, "a stored prefix fits in 24 bits");
  static uint32_t NodeId(int level, uint32_t prefix) { return uint32_t(level) << 24 | prefix; }
  Nodes& For(const std::string& collection);

  std::map<std::string, Nodes> collections_;
  // The collection touched last (its node in collections_, which never moves): a bulk write
  // touches one, and looks it up once.
  std::map<std::string, Nodes>::iterator last_ = collections_.end();
};

// The bound for `key <= ?` that a range's `through` gives: itself, or when it is empty (no
// upper bound) a byte that no key has, as keys are UTF-8. One query text with a real bound lets
// SQLite end its index range there instead of scanning to the end of the collection.
inline std::string UpperKeyBound(std::string_view through) {
  return through.empty() ? std::string("\xff") : std::string(through);
}

// The documents whose hashes make the leaves under a node (db_id, collection, first and last
// key hash). Index items_by_key_hash covers it (schema 05): no document row is read.
inline constexpr const char* kSumLeavesSql =
    "SELECT key_hash, tree_hash FROM items WHERE db_id=? AND kind=0 AND collection=? AND "
    "key_hash BETWEEN ? AND ? AND deleted=0";

// The root's summary.
Result<TreeSum> ReadRoot(SqliteConnection* c, int64_t db_id, std::string_view collection);
// The summaries of the kTreeFanout children of `node` (not a leaf).
Result<std::vector<TreeSum>> ReadChildren(SqliteConnection* c, int64_t db_id,
                                          std::string_view collection, TreeNode node);
// The live documents under `node`, in key order.
Result<std::vector<TreeEntry>> ReadEntries(SqliteConnection* c, int64_t db_id,
                                           std::string_view collection, TreeNode node);
// The live documents with after < key <= through (unbounded if `through` is empty), in key
// order, at most `limit`.
Result<std::vector<TreeEntry>> ReadEntriesBetween(SqliteConnection* c, int64_t db_id,
                                                  std::string_view collection,
                                                  std::string_view after,
                                                  std::string_view through, int64_t limit);

// Recomputes each document's hash and the tree of `collection` (every collection with
// documents or tree rows if empty) from the documents, and compares. With `repair`, rewrites
// what differs. REQUIRES: inside a write transaction on `c`.
Result<std::vector<TreeCheck>> Check(SqliteConnection* c, int64_t db_id,
                                     std::string_view collection, bool repair);

// Fills in every document's hashes and every tree of every database. For the migration to
// schema 4. REQUIRES: inside a write transaction on `c`.
Status RebuildAll(SqliteConnection* c);

// Staged documents (Item with kind document; `collection` unused).
Status PutStaged(SqliteConnection* c, int64_t db_id, std::string_view stage,
                 const std::vector<Item>& docs);
Result<std::vector<Item>> ReadStaged(SqliteConnection* c, int64_t db_id, std::string_view stage,
                                     std::string_view after, int64_t limit);
Status DropStage(SqliteConnection* c, int64_t db_id, std::string_view stage);

}  // namespace syncline::sqlite_tree
