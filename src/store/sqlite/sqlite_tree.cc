// SQL for the collection trees and staged documents.
#include "store/sqlite/sqlite_tree.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace syncline::sqlite_tree {

namespace {

using Bytes32 = std::array<uint8_t, 32>;

// tree_add(a, b): see RegisterFunctions.
void TreeAddFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Bytes32 acc{}, x{};
  if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
    if (sqlite3_value_bytes(argv[0]) != 32) {
      sqlite3_result_error(ctx, "tree_add: a sum is 32 bytes", -1);
      return;
    }
    std::memcpy(acc.data(), sqlite3_value_blob(argv[0]), 32);
  }
  if (sqlite3_value_bytes(argv[1]) != 32) {
    sqlite3_result_error(ctx, "tree_add: a sum is 32 bytes", -1);
    return;
  }
  std::memcpy(x.data(), sqlite3_value_blob(argv[1]), 32);
  TreeAddInPlace(&acc, x);
  sqlite3_result_blob(ctx, acc.data(), 32, SQLITE_TRANSIENT);
}

// The stored level that holds the children of a node at `level`.
int StoredLevelFor(int child_level) {
  return child_level <= kTreeStoredMid ? kTreeStoredMid : kTreeStoredLow;
}

Status BadRow(std::string_view what) {
  return Status::Corruption("tree row of " + std::string(what) + " is damaged");
}

// The leaves under a node of the lowest stored level, summed from their documents.
Result<std::vector<TreeSum>> SumLeaves(SqliteConnection* c, int64_t db_id,
                                       std::string_view collection, TreeNode node) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare(kSumLeavesSql));
  st->Bind(1, db_id).Bind(2, collection);
  st->Bind(3, int64_t{node.FirstKeyHash()}).Bind(4, int64_t{node.LastKeyHash()});
  std::vector<TreeSum> out(kTreeFanout);
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    std::string_view h = st->Blob(1);
    Sha256Digest d{};
    if (h.size() != d.size()) {
      st->Reset();
      return BadRow(collection);
    }
    std::memcpy(d.data(), h.data(), d.size());
    TreeNode leaf = NodeOfKeyHash(static_cast<uint32_t>(st->Int(0)), kTreeDepth);
    out[leaf.prefix & (kTreeFanout - 1)].Add(d);
  }
  st->Reset();
  return out;
}

// Calls fn(prefix, sum) for each stored row of `level` with prefix in [first, last].
template <typename Fn>
Status ForEachStoredRow(SqliteConnection* c, int64_t db_id, std::string_view collection,
                        int level, uint32_t first, uint32_t last, Fn fn) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT prefix, sum, count FROM tree_nodes WHERE db_id=? AND collection=? "
                 "AND level=? AND prefix BETWEEN ? AND ?"));
  st->Bind(1, db_id).Bind(2, collection).Bind(3, int64_t{level});
  st->Bind(4, int64_t{first}).Bind(5, int64_t{last});
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    TreeSum sum;
    if (!TreeSum::FromParts(st->Blob(1), st->Int(2), &sum)) {
      st->Reset();
      return BadRow(collection);
    }
    fn(static_cast<uint32_t>(st->Int(0)), sum);
  }
  st->Reset();
  return Status::OK();
}

Sha256Digest DigestOf(std::string_view blob) {
  Sha256Digest d{};
  if (blob.size() == d.size()) std::memcpy(d.data(), blob.data(), d.size());
  return d;
}

// Reads entries from a prepared statement whose columns are (key, tree_hash).
Result<std::vector<TreeEntry>> CollectEntries(SqliteStatement* st) {
  std::vector<TreeEntry> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), DigestOf(st->Blob(1))});
  }
  st->Reset();
  return out;
}

// The stored levels' summaries of one collection as its documents say they should be.
using StoredNodes = std::map<std::pair<int, uint32_t>, TreeSum>;

struct Recomputed {
  StoredNodes nodes;
  int64_t documents = 0;
  // id, key hash and tree hash of each document whose stored ones are wrong.
  std::vector<std::tuple<int64_t, uint32_t, Sha256Digest>> wrong;
};

Status Recompute(SqliteConnection* c, int64_t db_id, std::string_view collection,
                 Recomputed* out) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT id, key, version_vector, body, key_hash, tree_hash, deleted FROM items "
                 "WHERE db_id=? AND kind=0 AND collection=?"));
  st->Bind(1, db_id).Bind(2, collection);
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    std::string key = st->Text(1);
    uint32_t key_hash = TreeKeyHash(key);
    bool deleted = st->Int(6) != 0;
    bool key_hash_ok = !st->IsNull(4) && st->Int(4) == int64_t{key_hash};
    if (deleted) {
      // A tombstone has a place but no hash.
      if (!key_hash_ok || !st->IsNull(5)) out->wrong.emplace_back(st->Int(0), key_hash, Sha256Digest{});
      continue;
    }
    Sha256Digest hash = TreeDocumentHash(key, st->Text(2), st->Blob(3));
    std::string_view stored = st->Blob(5);
    bool hash_ok = !st->IsNull(5) && stored.size() == hash.size() &&
                   std::memcmp(stored.data(), hash.data(), hash.size()) == 0;
    if (!key_hash_ok || !hash_ok) out->wrong.emplace_back(st->Int(0), key_hash, hash);
    ++out->documents;
    for (int level : {kTreeStoredMid, kTreeStoredLow}) {
      out->nodes[{level, NodeOfKeyHash(key_hash, level).prefix}].Add(hash);
    }
  }
  st->Reset();
  return Status::OK();
}

// The stored rows of one collection, empty ones left out.
Result<StoredNodes> ReadStored(SqliteConnection* c, int64_t db_id, std::string_view collection) {
  StoredNodes out;
  for (int level : {kTreeStoredMid, kTreeStoredLow}) {
    SYNCLINE_RETURN_IF_ERROR(ForEachStoredRow(
        c, db_id, collection, level, 0, UINT32_MAX, [&](uint32_t prefix, const TreeSum& sum) {
          if (!sum.empty()) out[{level, prefix}] = sum;
        }));
  }
  return out;
}

int64_t CountDifferences(const StoredNodes& a, const StoredNodes& b) {
  int64_t n = 0;
  for (const auto& [node, sum] : a) {
    auto it = b.find(node);
    if (it == b.end() || !(it->second == sum)) ++n;
  }
  for (const auto& [node, sum] : b) {
    if (!a.count(node)) ++n;
  }
  return n;
}

Status WriteDocumentHashes(SqliteConnection* c, const Recomputed& r) {
  for (const auto& [id, key_hash, hash] : r.wrong) {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c->Prepare("UPDATE items SET key_hash=?, tree_hash=CASE WHEN deleted THEN NULL ELSE ? "
                   "END WHERE id=?"));
    st->Bind(1, int64_t{key_hash}).BindBlob(2, hash.data(), hash.size()).Bind(3, id);
    SYNCLINE_RETURN_IF_ERROR(st->Run());
  }
  return Status::OK();
}

Status ReplaceNodes(SqliteConnection* c, int64_t db_id, std::string_view collection,
                    const StoredNodes& nodes) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st,
                            c->Prepare("DELETE FROM tree_nodes WHERE db_id=? AND collection=?"));
  SYNCLINE_RETURN_IF_ERROR(st->Bind(1, db_id).Bind(2, collection).Run());
  for (const auto& [node, sum] : nodes) {
    SYNCLINE_ASSIGN_OR_RETURN(st, c->Prepare("INSERT INTO tree_nodes VALUES (?,?,?,?,?,?)"));
    st->Bind(1, db_id).Bind(2, collection).Bind(3, int64_t{node.first});
    st->Bind(4, int64_t{node.second}).BindBlob(5, sum.sum().data(), sum.sum().size());
    SYNCLINE_RETURN_IF_ERROR(st->Bind(6, sum.count()).Run());
  }
  return Status::OK();
}

Result<std::vector<std::string>> CollectionsWithTrees(SqliteConnection* c, int64_t db_id) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT DISTINCT collection FROM items WHERE db_id=? AND kind=0 UNION "
                 "SELECT DISTINCT collection FROM tree_nodes WHERE db_id=? ORDER BY 1"));
  st->Bind(1, db_id).Bind(2, db_id);
  std::vector<std::string> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Text(0));
  }
  st->Reset();
  return out;
}

}  // namespace

Status RegisterFunctions(SqliteConnection* c) {
  int rc = sqlite3_create_function_v2(c->handle(), "tree_add", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                      &TreeAddFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(c->handle(), rc, "register tree_add");
  return Status::OK();
}

TreeDelta::Nodes& TreeDelta::For(const std::string& collection) {
  if (last_ == collections_.end() || last_->first != collection) {
    last_ = collections_.try_emplace(collection).first;
  }
  return last_->second;
}

void TreeDelta::Add(const std::string& collection, uint32_t key_hash, const Sha256Digest& hash) {
  Nodes& nodes = For(collection);
  for (int level : {kTreeStoredMid, kTreeStoredLow}) {
    nodes[NodeId(level, NodeOfKeyHash(key_hash, level).prefix)].Add(hash);
  }
}

void TreeDelta::Remove(const std::string& collection, uint32_t key_hash,
                       const Sha256Digest& hash) {
  Nodes& nodes = For(collection);
  for (int level : {kTreeStoredMid, kTreeStoredLow}) {
    nodes[NodeId(level, NodeOfKeyHash(key_hash, level).prefix)].Remove(hash);
  }
}

Status TreeDelta::Flush(SqliteConnection* c, int64_t db_id) {
  for (const auto& [collection, nodes] : collections_) {
    // In key order, so that the upserts walk tree_nodes forwards.
    std::vector<std::pair<uint32_t, const TreeSum*>> touched;
    touched.reserve(nodes.size());
    for (const auto& [id, delta] : nodes) {
      // Empty: documents written and put back as they were.
      if (!delta.empty()) touched.emplace_back(id, &delta);
    }
    std::sort(touched.begin(), touched.end());
    for (const auto& [id, delta] : touched) {
      SYNCLINE_ASSIGN_OR_RETURN(
          SqliteStatement * st,
          c->Prepare("INSERT INTO tree_nodes VALUES (?,?,?,?,?,?) "
                     "ON CONFLICT (db_id, collection, level, prefix) DO UPDATE SET "
                     "sum=tree_add(sum, excluded.sum), count=count+excluded.count"));
      st->Bind(1, db_id).Bind(2, collection).Bind(3, int64_t{id >> 24});
      st->Bind(4, int64_t{id & 0xffffff});
      st->BindBlob(5, delta->sum().data(), delta->sum().size()).Bind(6, delta->count());
      SYNCLINE_RETURN_IF_ERROR(st->Run().WithContext("update tree"));
    }
  }
  collections_.clear();
  last_ = collections_.end();
  return Status::OK();
}

Result<std::vector<TreeSum>> ReadChildren(SqliteConnection* c, int64_t db_id,
                                          std::string_view collection, TreeNode node) {
  if (!node.Valid() || node.level >= kTreeDepth) {
    return Status::InvalidArgument("a tree node's children need a node above the leaves");
  }
  int child_level = node.level + 1;
  if (child_level > kTreeStoredLow) return SumLeaves(c, db_id, collection, node);
  int stored = StoredLevelFor(child_level);
  int below = kTreeBitsPerLevel * (stored - node.level);  // bits of a stored prefix under node
  uint32_t first = node.prefix << below;
  uint32_t last = first | static_cast<uint32_t>((uint64_t{1} << below) - 1);
  std::vector<TreeSum> out(kTreeFanout);
  int fold = kTreeBitsPerLevel * (stored - child_level);
  SYNCLINE_RETURN_IF_ERROR(ForEachStoredRow(
      c, db_id, collection, stored, first, last, [&](uint32_t prefix, const TreeSum& sum) {
        out[(prefix >> fold) & (kTreeFanout - 1)].Merge(sum);
      }));
  return out;
}

Result<TreeSum> ReadRoot(SqliteConnection* c, int64_t db_id, std::string_view collection) {
  SYNCLINE_ASSIGN_OR_RETURN(auto children, ReadChildren(c, db_id, collection, TreeNode{}));
  TreeSum root;
  for (const TreeSum& s : children) root.Merge(s);
  return root;
}

Result<std::vector<TreeEntry>> ReadEntries(SqliteConnection* c, int64_t db_id,
                                           std::string_view collection, TreeNode node) {
  if (!node.Valid()) return Status::InvalidArgument("no such tree node");
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT key, tree_hash FROM items WHERE db_id=? AND kind=0 AND collection=? "
                 "AND key_hash BETWEEN ? AND ? AND deleted=0 ORDER BY key"));
  st->Bind(1, db_id).Bind(2, collection);
  st->Bind(3, int64_t{node.FirstKeyHash()}).Bind(4, int64_t{node.LastKeyHash()});
  return CollectEntries(st);
}

Result<std::vector<TreeEntry>> ReadEntriesBetween(SqliteConnection* c, int64_t db_id,
                                                  std::string_view collection,
                                                  std::string_view after,
                                                  std::string_view through, int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT key, tree_hash FROM items WHERE db_id=? AND kind=0 AND collection=? "
                 "AND key>? AND key<=? AND deleted=0 ORDER BY key LIMIT ?"));
  st->Bind(1, db_id).Bind(2, collection).Bind(3, after).Bind(4, UpperKeyBound(through));
  st->Bind(5, limit);
  return CollectEntries(st);
}

Result<std::vector<TreeCheck>> Check(SqliteConnection* c, int64_t db_id,
                                     std::string_view collection, bool repair) {
  std::vector<std::string> collections;
  if (collection.empty()) {
    SYNCLINE_ASSIGN_OR_RETURN(collections, CollectionsWithTrees(c, db_id));
  } else {
    collections.emplace_back(collection);
  }
  std::vector<TreeCheck> out;
  for (const std::string& name : collections) {
    Recomputed fresh;
    SYNCLINE_RETURN_IF_ERROR(Recompute(c, db_id, name, &fresh));
    SYNCLINE_ASSIGN_OR_RETURN(StoredNodes stored, ReadStored(c, db_id, name));
    TreeCheck check;
    check.collection = name;
    check.documents = fresh.documents;
    check.wrong_documents = static_cast<int64_t>(fresh.wrong.size());
    check.wrong_nodes = CountDifferences(fresh.nodes, stored);
    if (repair && !check.ok()) {
      SYNCLINE_RETURN_IF_ERROR(WriteDocumentHashes(c, fresh));
      SYNCLINE_RETURN_IF_ERROR(ReplaceNodes(c, db_id, name, fresh.nodes));
      check.repaired = true;
    }
    out.push_back(std::move(check));
  }
  return out;
}

Status RebuildAll(SqliteConnection* c) {
  SYNCLINE_ASSIGN_OR_RETURN(SqliteStatement * st, c->Prepare("SELECT id FROM databases"));
  std::vector<int64_t> ids;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ids.push_back(st->Int(0));
  }
  st->Reset();
  for (int64_t id : ids) {
    SYNCLINE_RETURN_IF_ERROR(Check(c, id, "", /*repair=*/true).status());
  }
  return Status::OK();
}

Status PutStaged(SqliteConnection* c, int64_t db_id, std::string_view stage,
                 const std::vector<Item>& docs) {
  for (const Item& d : docs) {
    SYNCLINE_ASSIGN_OR_RETURN(
        SqliteStatement * st,
        c->Prepare("INSERT OR REPLACE INTO staged_documents VALUES (?,?,?,?,?,?,?)"));
    st->Bind(1, db_id).Bind(2, stage).Bind(3, d.key).Bind(4, int64_t{d.deleted});
    st->Bind(5, d.version_vector).Bind(6, d.updated_at);
    if (d.deleted) {
      st->BindNull(7);
    } else {
      st->BindBlob(7, d.body);
    }
    SYNCLINE_RETURN_IF_ERROR(st->Run().WithContext("stage document"));
  }
  return Status::OK();
}

Result<std::vector<Item>> ReadStaged(SqliteConnection* c, int64_t db_id, std::string_view stage,
                                     std::string_view after, int64_t limit) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("SELECT key, deleted, version_vector, updated_at, body FROM staged_documents "
                 "WHERE db_id=? AND stage=? AND key>? ORDER BY key LIMIT ?"));
  st->Bind(1, db_id).Bind(2, stage).Bind(3, after).Bind(4, limit);
  std::vector<Item> out;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Item d;
    d.key = st->Text(0);
    d.deleted = st->Int(1) != 0;
    d.version_vector = st->Text(2);
    d.updated_at = st->Int(3);
    d.body = std::string(st->Blob(4));
    out.push_back(std::move(d));
  }
  st->Reset();
  return out;
}

Status DropStage(SqliteConnection* c, int64_t db_id, std::string_view stage) {
  SYNCLINE_ASSIGN_OR_RETURN(
      SqliteStatement * st,
      c->Prepare("DELETE FROM staged_documents WHERE db_id=? AND stage=?"));
  return st->Bind(1, db_id).Bind(2, stage).Run().WithContext("drop stage");
}

}  // namespace syncline::sqlite_tree
