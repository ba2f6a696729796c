// FileReader: manifest walk with range trimming.
#include "chunk/file_reader.h"

#include <algorithm>

namespace syncline {

FileReader::FileReader(Store* store, std::string db, Manifest manifest, uint64_t offset,
                       uint64_t length)
    : store_(store), db_(std::move(db)), manifest_(std::move(manifest)), remaining_(length),
      pins_(std::make_shared<PinnedChunks>(&store->chunk_pins(), db_)) {
  for (const ChunkRef& c : manifest_.chunks) pins_->Add(c.hash);
  uint64_t start = 0;
  index_ = length ? manifest_.ChunkAt(offset, &start) : manifest_.chunks.size();
  skip_ = offset - start;
}

Result<std::string_view> FileReader::Next() {
  if (remaining_ == 0 || index_ >= manifest_.chunks.size()) return std::string_view();
  const ChunkRef& ref = manifest_.chunks[index_++];
  Status s = store_->ReadChunk(db_, ref.hash, &buf_);
  if (s.IsNotFound()) return Status::Corruption(s.message());  // a manifest names only stored chunks
  SYNCLINE_RETURN_IF_ERROR(s);
  if (buf_.size() != ref.size) return Status::Corruption("chunk size differs from manifest");
  std::string_view piece(buf_);
  piece.remove_prefix(skip_);
  skip_ = 0;
  piece = piece.substr(0, std::min<uint64_t>(piece.size(), remaining_));
  remaining_ -= piece.size();
  return piece;
}

}  // namespace syncline
