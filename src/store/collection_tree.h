// CollectionTree: the shape and arithmetic of a collection's Merkle tree, which lets two nodes
// find the documents where their copies of a collection differ at a cost that follows the
// differences, not the size (docs/ARCHITECTURE.md, "Collection trees").
//
// Every live document has a hash of (key, version vector, body). The tree splits the space of
// key hashes (the top 32 bits of SHA-256(key)) into 16 ranges per level, 4 levels deep: level l
// has 16^l nodes and a node is named by its `prefix`, the top 4*l bits of the key hashes it
// covers. A node's summary is the count of the documents under it and the sum, modulo 2^256,
// of their hashes: a write adds the new hash and subtracts the old one, so keeping the tree
// costs a constant amount per write inside the write's own transaction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/sha256.h"

namespace syncline {

inline constexpr int kTreeDepth = 4;         // levels below the root; leaves are at level 4
inline constexpr int kTreeBitsPerLevel = 4;  // 16 children per node
inline constexpr int kTreeFanout = 1 << kTreeBitsPerLevel;
// The levels the store keeps rows for; the ones above are folded from these when read, and the
// leaves (about 15 documents each at a million) are summed from their documents. Two rows per
// write, fewer per document in a bulk write, and a leaf costs a short index scan to read.
inline constexpr int kTreeStoredMid = 2;
inline constexpr int kTreeStoredLow = kTreeDepth - 1;

// A node of the tree: level 0 is the root; `prefix` has kTreeBitsPerLevel * level bits.
struct TreeNode {
  int level = 0;
  uint32_t prefix = 0;

  bool operator==(const TreeNode&) const = default;
  auto operator<=>(const TreeNode&) const = default;
  bool Valid() const;
  TreeNode Child(int i) const { return {level + 1, (prefix << kTreeBitsPerLevel) | uint32_t(i)}; }
  // The first and last key hash the node covers.
  uint32_t FirstKeyHash() const;
  uint32_t LastKeyHash() const;
  // The node at `level` (<= this one's) that covers this one.
  TreeNode AncestorAt(int level) const;
};

// The node at `level` that covers `key_hash`.
TreeNode NodeOfKeyHash(uint32_t key_hash, int level);

// The top 32 bits of SHA-256(key): where the document sits in the tree.
uint32_t TreeKeyHash(std::string_view key);

// The hash of one live document's state. Two documents with the same key, version vector and
// body have the same hash; anything else differs.
Sha256Digest TreeDocumentHash(std::string_view key, std::string_view version_vector,
                              std::string_view body);

// A node's summary: how many documents it covers and the sum of their hashes modulo 2^256
// (the hashes read as 256-bit big-endian numbers).
class TreeSum {
 public:
  void Add(const Sha256Digest& hash);
  void Remove(const Sha256Digest& hash);
  void Merge(const TreeSum& other);  // adds another node's documents

  int64_t count() const { return count_; }
  const std::array<uint8_t, 32>& sum() const { return sum_; }
  bool empty() const;  // covers nothing (count 0 and sum 0)
  // Rebuilds a summary from its stored parts; false if `sum` is not 32 bytes.
  static bool FromParts(std::string_view sum, int64_t count, TreeSum* out);
  // A short digest of the summary, for the wire: equal summaries give equal digests.
  std::string Digest() const;  // base64 of 16 bytes of SHA-256(count, sum)

  bool operator==(const TreeSum&) const = default;

 private:
  std::array<uint8_t, 32> sum_{};
  int64_t count_ = 0;
};

// One live document as the tree sees it.
struct TreeEntry {
  std::string key;
  Sha256Digest hash{};

  bool operator==(const TreeEntry&) const = default;
};

// What checking one collection's tree against its documents found.
struct TreeCheck {
  std::string collection;
  int64_t documents = 0;        // live documents
  int64_t wrong_documents = 0;  // whose stored hash or place did not match their content
  int64_t wrong_nodes = 0;      // stored node summaries that did not match the documents
  bool repaired = false;        // the wrong ones were rewritten

  bool ok() const { return wrong_documents == 0 && wrong_nodes == 0; }
};

// 256-bit addition modulo 2^256 of big-endian numbers: *acc += x.
void TreeAddInPlace(std::array<uint8_t, 32>* acc, const std::array<uint8_t, 32>& x);

}  // namespace syncline
