// SnapshotSource and the digests every CollectionSource shares.
#include "replicate/snapshot_source.h"

#include "util/base64.h"

namespace syncline {

namespace {

constexpr int64_t kScanPage = 5000;

std::vector<KeyVersion> ToKeyVersions(const std::vector<TreeEntry>& entries) {
  std::vector<KeyVersion> out;
  out.reserve(entries.size());
  for (const TreeEntry& e : entries) out.push_back({e.key, EntryDigest(e.hash)});
  return out;
}

}  // namespace

std::string EntryDigest(const Sha256Digest& hash) {
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(hash.data()), 16));
}

std::string ChunkDigest(const std::vector<KeyVersion>& entries) {
  Sha256Hasher h;
  for (const KeyVersion& e : entries) {
    // Keys hold no NUL (util/name.h), so the separators make the input unambiguous.
    h.Update(e.key.data(), e.key.size());
    h.Update("\0", 1);
    h.Update(e.digest.data(), e.digest.size());
    h.Update("\0", 1);
  }
  return EntryDigest(h.Finish());
}

NodeSummary SummaryOf(const TreeSum& sum) { return {sum.Digest(), sum.count()}; }

Result<NodeSummary> SnapshotSource::Root() {
  SYNCLINE_ASSIGN_OR_RETURN(TreeSum root, snapshot_->TreeRoot(collection_));
  return SummaryOf(root);
}

Result<std::vector<std::vector<NodeSummary>>> SnapshotSource::Children(
    const std::vector<TreeNode>& nodes) {
  std::vector<std::vector<NodeSummary>> out;
  for (const TreeNode& node : nodes) {
    SYNCLINE_ASSIGN_OR_RETURN(auto sums, snapshot_->TreeChildren(collection_, node));
    std::vector<NodeSummary> children;
    for (const TreeSum& s : sums) children.push_back(SummaryOf(s));
    out.push_back(std::move(children));
  }
  return out;
}

Result<std::vector<std::vector<KeyVersion>>> SnapshotSource::Entries(
    const std::vector<TreeNode>& nodes) {
  std::vector<std::vector<KeyVersion>> out;
  for (const TreeNode& node : nodes) {
    SYNCLINE_ASSIGN_OR_RETURN(auto entries, snapshot_->TreeEntries(collection_, node));
    out.push_back(ToKeyVersions(entries));
  }
  return out;
}

Result<std::vector<KeyChunk>> SnapshotSource::KeyChunks(int64_t chunk_size) {
  if (chunk_size <= 0) return Status::InvalidArgument("chunk size must be positive");
  std::vector<KeyChunk> out;
  std::string after;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(auto entries,
                              snapshot_->EntriesBetween(collection_, after, "", chunk_size));
    KeyChunk chunk;
    chunk.after = after;
    chunk.count = static_cast<int64_t>(entries.size());
    chunk.digest = ChunkDigest(ToKeyVersions(entries));
    bool last = chunk.count < chunk_size;
    // The last chunk has no upper bound, so that it covers keys the other side has beyond ours.
    if (!last) chunk.through = entries.back().key;
    after = chunk.through;
    out.push_back(std::move(chunk));
    if (last) break;
  }
  return out;
}

Result<std::vector<KeyVersion>> SnapshotSource::KeysBetween(const std::string& after,
                                                            const std::string& through) {
  std::vector<KeyVersion> out;
  std::string from = after;
  while (true) {
    SYNCLINE_ASSIGN_OR_RETURN(auto entries,
                              snapshot_->EntriesBetween(collection_, from, through, kScanPage));
    for (const TreeEntry& e : entries) out.push_back({e.key, EntryDigest(e.hash)});
    if (static_cast<int64_t>(entries.size()) < kScanPage) break;
    from = entries.back().key;
  }
  return out;
}

Result<std::vector<Item>> SnapshotSource::Documents(const std::vector<std::string>& keys) {
  if (keys.size() > kMaxKeysPerCall) return Status::TooLarge("too many keys in one call");
  return snapshot_->Documents(collection_, keys);
}

Result<std::vector<Item>> SnapshotSource::DocumentsAfter(const std::string& after,
                                                         int64_t limit) {
  if (limit <= 0 || limit > kMaxPageSize) {
    return Status::InvalidArgument("page size must be 1 to " + std::to_string(kMaxPageSize));
  }
  return snapshot_->DocumentsAfter(collection_, after, limit);
}

}  // namespace syncline
