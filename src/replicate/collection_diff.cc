// Comparing two copies of a collection (collection_diff.h).
#include "replicate/collection_diff.h"

#include <algorithm>

namespace syncline {

namespace {

// A node where the two trees differ, with both sides' document counts.
struct OpenNode {
  TreeNode node;
  int64_t master_count = 0;
  int64_t replica_count = 0;
};

// Calls fn(batch) for `items` in batches of at most kMaxNodesPerCall.
template <typename T, typename Fn>
Status InBatches(const std::vector<T>& items, Fn fn) {
  for (size_t i = 0; i < items.size(); i += kMaxNodesPerCall) {
    std::vector<T> batch(items.begin() + i,
                         items.begin() + std::min(items.size(), i + kMaxNodesPerCall));
    SYNCLINE_RETURN_IF_ERROR(fn(batch));
  }
  return Status::OK();
}

Status BadAnswer(std::string_view what) {
  return Status::ProtocolError("the master's " + std::string(what) + " do not match the request");
}

// Descends one level: the children of `open` that differ.
Result<std::vector<OpenNode>> DifferingChildren(CollectionSource& master,
                                                CollectionSource& replica,
                                                const std::vector<OpenNode>& open,
                                                CollectionDiff* diff) {
  std::vector<OpenNode> next;
  SYNCLINE_RETURN_IF_ERROR(InBatches(open, [&](const std::vector<OpenNode>& batch) -> Status {
    std::vector<TreeNode> nodes;
    for (const OpenNode& o : batch) nodes.push_back(o.node);
    SYNCLINE_ASSIGN_OR_RETURN(auto m, master.Children(nodes));
    SYNCLINE_ASSIGN_OR_RETURN(auto r, replica.Children(nodes));
    if (m.size() != nodes.size() || r.size() != nodes.size()) return BadAnswer("tree nodes");
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (m[i].size() != size_t{kTreeFanout} || r[i].size() != size_t{kTreeFanout}) {
        return BadAnswer("tree nodes");
      }
      for (int c = 0; c < kTreeFanout; ++c) {
        ++diff->nodes_compared;
        if (m[i][c] == r[i][c]) continue;
        next.push_back({nodes[i].Child(c), m[i][c].count, r[i][c].count});
      }
    }
    return Status::OK();
  }));
  return next;
}

// Lists the entries of `nodes` on both sides and adds their differences.
Status DiffNodeEntries(CollectionSource& master, CollectionSource& replica,
                       const std::vector<TreeNode>& nodes, CollectionDiff* diff) {
  return InBatches(nodes, [&](const std::vector<TreeNode>& batch) -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(auto m, master.Entries(batch));
    SYNCLINE_ASSIGN_OR_RETURN(auto r, replica.Entries(batch));
    if (m.size() != batch.size() || r.size() != batch.size()) return BadAnswer("tree entries");
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!std::is_sorted(m[i].begin(), m[i].end(),
                          [](const KeyVersion& a, const KeyVersion& b) { return a.key < b.key; })) {
        return BadAnswer("tree entries");
      }
      DiffEntries(m[i], r[i], diff);
    }
    return Status::OK();
  });
}

void SortDiff(CollectionDiff* diff) {
  std::sort(diff->fetch.begin(), diff->fetch.end());
  std::sort(diff->remove.begin(), diff->remove.end());
}

}  // namespace

void DiffEntries(const std::vector<KeyVersion>& master, const std::vector<KeyVersion>& replica,
                 CollectionDiff* out) {
  size_t i = 0, j = 0;
  out->entries_compared += static_cast<int64_t>(master.size() + replica.size());
  while (i < master.size() || j < replica.size()) {
    if (j == replica.size() || (i < master.size() && master[i].key < replica[j].key)) {
      out->fetch.push_back(master[i++].key);
    } else if (i == master.size() || replica[j].key < master[i].key) {
      out->remove.push_back(replica[j++].key);
    } else {
      if (master[i].digest != replica[j].digest) out->fetch.push_back(master[i].key);
      ++i;
      ++j;
    }
  }
}

Result<CollectionDiff> DiffByTree(CollectionSource& master, CollectionSource& replica,
                                  const KeepGoing& keep_going) {
  CollectionDiff diff;
  SYNCLINE_ASSIGN_OR_RETURN(NodeSummary m, master.Root());
  SYNCLINE_ASSIGN_OR_RETURN(NodeSummary r, replica.Root());
  ++diff.nodes_compared;
  if (m == r) return diff;
  std::vector<OpenNode> open = {{TreeNode{}, m.count, r.count}};
  std::vector<TreeNode> to_list;
  for (int level = 0; level < kTreeDepth && !open.empty(); ++level) {
    SYNCLINE_RETURN_IF_ERROR(keep_going());
    std::vector<OpenNode> descend;
    for (const OpenNode& o : open) {
      if (o.master_count + o.replica_count <= kListNodesUpTo) {
        to_list.push_back(o.node);
      } else {
        descend.push_back(o);
      }
    }
    SYNCLINE_ASSIGN_OR_RETURN(open, DifferingChildren(master, replica, descend, &diff));
  }
  for (const OpenNode& o : open) to_list.push_back(o.node);
  SYNCLINE_RETURN_IF_ERROR(keep_going());
  SYNCLINE_RETURN_IF_ERROR(DiffNodeEntries(master, replica, to_list, &diff));
  SortDiff(&diff);
  return diff;
}

Result<CollectionDiff> DiffByKeys(CollectionSource& master, CollectionSource& replica,
                                  const KeepGoing& keep_going, int64_t chunk_size) {
  CollectionDiff diff;
  SYNCLINE_ASSIGN_OR_RETURN(auto chunks, master.KeyChunks(chunk_size));
  for (const KeyChunk& chunk : chunks) {
    SYNCLINE_RETURN_IF_ERROR(keep_going());
    SYNCLINE_ASSIGN_OR_RETURN(auto mine, replica.KeysBetween(chunk.after, chunk.through));
    ++diff.nodes_compared;
    if (static_cast<int64_t>(mine.size()) == chunk.count && ChunkDigest(mine) == chunk.digest) {
      continue;
    }
    SYNCLINE_ASSIGN_OR_RETURN(auto theirs, master.KeysBetween(chunk.after, chunk.through));
    DiffEntries(theirs, mine, &diff);
  }
  SortDiff(&diff);
  return diff;
}

}  // namespace syncline
