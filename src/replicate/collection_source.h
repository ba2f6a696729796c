// CollectionSource: what a collection sync reads from one side, the master or the replica's own
// store: one collection of a database as a snapshot took it. net/ implements it over HTTP
// (the master's snapshot endpoints); SnapshotSource implements it over a local StoreSnapshot.
// Every method may be called many times; a source is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/collection_tree.h"
#include "store/item.h"
#include "syncline/result.h"

namespace syncline {

// A tree node's summary as it travels: its digest (TreeSum::Digest) and document count.
struct NodeSummary {
  std::string digest;
  int64_t count = 0;

  bool operator==(const NodeSummary&) const = default;
};

// One live document's key and the digest of its state (EntryDigest).
struct KeyVersion {
  std::string key;
  std::string digest;

  bool operator==(const KeyVersion&) const = default;
};

// The `keys` method's unit: the live documents with after < key <= through (no upper bound if
// `through` is empty), their count and one digest over their keys and digests.
struct KeyChunk {
  std::string after;
  std::string through;
  int64_t count = 0;
  std::string digest;

  bool operator==(const KeyChunk&) const = default;
};

// A document hash as it travels: base64 of its first 16 bytes.
std::string EntryDigest(const Sha256Digest& hash);
// The digest of a run of entries, as KeyChunk carries it.
std::string ChunkDigest(const std::vector<KeyVersion>& entries);
NodeSummary SummaryOf(const TreeSum& sum);

// Bounds on one call, so that an answer stays a reasonable size.
inline constexpr size_t kMaxNodesPerCall = 1024;
inline constexpr size_t kMaxKeysPerCall = 1000;
inline constexpr int64_t kMaxPageSize = 10000;

class CollectionSource {
 public:
  virtual ~CollectionSource() = default;

  // The database's etag at the snapshot: changes after it are not in this source.
  virtual int64_t etag() const = 0;

  virtual Result<NodeSummary> Root() = 0;
  // For each of `nodes` (above the leaves), the summaries of its kTreeFanout children.
  virtual Result<std::vector<std::vector<NodeSummary>>> Children(
      const std::vector<TreeNode>& nodes) = 0;
  // For each of `nodes`, the live documents under it, in key order.
  virtual Result<std::vector<std::vector<KeyVersion>>> Entries(
      const std::vector<TreeNode>& nodes) = 0;

  // The whole collection in chunks of `chunk_size` documents in key order (the `keys` method).
  virtual Result<std::vector<KeyChunk>> KeyChunks(int64_t chunk_size) = 0;
  // The live documents of a chunk's range, in key order.
  virtual Result<std::vector<KeyVersion>> KeysBetween(const std::string& after,
                                                      const std::string& through) = 0;

  // The live documents among `keys` (at most kMaxKeysPerCall), in key order; absent ones are
  // left out.
  virtual Result<std::vector<Item>> Documents(const std::vector<std::string>& keys) = 0;
  // Live documents with key > after, in key order, at most `limit`.
  virtual Result<std::vector<Item>> DocumentsAfter(const std::string& after, int64_t limit) = 0;
};

}  // namespace syncline
