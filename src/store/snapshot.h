// StoreSnapshot: a database frozen at one moment for a long read, such as serving a collection
// sync. Writers go on meanwhile; the snapshot sees none of their changes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/collection_tree.h"
#include "store/item.h"
#include "syncline/result.h"

namespace syncline {

// Not thread-safe: one reader at a time. Holding one keeps the store from reclaiming the space
// of what changed since, so holders close it (destroy it) as soon as they are done.
class StoreSnapshot {
 public:
  virtual ~StoreSnapshot() = default;

  // The database's last etag when the snapshot was taken.
  virtual int64_t etag() const = 0;

  // True if the collection has or had a document (tombstones count).
  virtual Result<bool> HasCollection(std::string_view collection) = 0;

  // The summary of a collection's whole tree (empty for a collection with no documents).
  virtual Result<TreeSum> TreeRoot(std::string_view collection) = 0;
  // The summaries of the kTreeFanout children of `node`; InvalidArgument for a leaf.
  virtual Result<std::vector<TreeSum>> TreeChildren(std::string_view collection,
                                                    TreeNode node) = 0;
  // The live documents under `node`, in key order.
  virtual Result<std::vector<TreeEntry>> TreeEntries(std::string_view collection,
                                                     TreeNode node) = 0;
  // Live documents with after < key <= through (no upper bound if `through` is empty), in key
  // order, at most `limit`.
  virtual Result<std::vector<TreeEntry>> EntriesBetween(std::string_view collection,
                                                        std::string_view after,
                                                        std::string_view through,
                                                        int64_t limit) = 0;
  // Live documents with key > after, in key order, at most `limit`.
  virtual Result<std::vector<Item>> DocumentsAfter(std::string_view collection,
                                                   std::string_view after, int64_t limit) = 0;
  // The live documents among `keys` (absent and deleted ones left out), in key order.
  virtual Result<std::vector<Item>> Documents(std::string_view collection,
                                              const std::vector<std::string>& keys) = 0;
};

}  // namespace syncline
