// SnapshotSource: a CollectionSource over a local StoreSnapshot. It is the replica's own side of
// every comparison, and what the master's snapshot endpoints answer from.
#pragma once

#include <memory>
#include <string>

#include "replicate/collection_source.h"
#include "store/snapshot.h"

namespace syncline {

class SnapshotSource : public CollectionSource {
 public:
  SnapshotSource(std::unique_ptr<StoreSnapshot> snapshot, std::string collection)
      : snapshot_(std::move(snapshot)), collection_(std::move(collection)) {}

  int64_t etag() const override { return snapshot_->etag(); }
  Result<NodeSummary> Root() override;
  Result<std::vector<std::vector<NodeSummary>>> Children(
      const std::vector<TreeNode>& nodes) override;
  Result<std::vector<std::vector<KeyVersion>>> Entries(const std::vector<TreeNode>& nodes) override;
  Result<std::vector<KeyChunk>> KeyChunks(int64_t chunk_size) override;
  Result<std::vector<KeyVersion>> KeysBetween(const std::string& after,
                                              const std::string& through) override;
  Result<std::vector<Item>> Documents(const std::vector<std::string>& keys) override;
  Result<std::vector<Item>> DocumentsAfter(const std::string& after, int64_t limit) override;

 private:
  std::unique_ptr<StoreSnapshot> snapshot_;
  std::string collection_;
};

}  // namespace syncline
