// FileWriter: chunk, hash, deduplicate, store.
#include "chunk/file_writer.h"

namespace syncline {

Result<std::unique_ptr<FileWriter>> FileWriter::Open(Store* store, std::string_view db) {
  SYNCLINE_ASSIGN_OR_RETURN(auto chunks, store->NewChunkWriter(db));
  return std::unique_ptr<FileWriter>(new FileWriter(std::move(chunks)));
}

FileWriter::FileWriter(std::unique_ptr<ChunkWriter> chunks)
    : chunks_(std::move(chunks)),
      chunker_([this](std::string_view c) { return OnChunk(c); }) {}

Status FileWriter::Append(std::string_view data) {
  content_hasher_.Update(data.data(), data.size());
  size_ += static_cast<int64_t>(data.size());
  return chunker_.Append(data);
}

Status FileWriter::OnChunk(std::string_view chunk) {
  chunk_hasher_.Update(chunk.data(), chunk.size());
  ChunkRef ref{chunk_hasher_.Finish(), static_cast<uint32_t>(chunk.size())};
  SYNCLINE_RETURN_IF_ERROR(chunks_->Add(ref.hash, chunk));
  manifest_.chunks.push_back(ref);
  unflushed_ += chunk.size();
  if (unflushed_ >= kFlushBytes) {
    SYNCLINE_RETURN_IF_ERROR(chunks_->Flush());
    unflushed_ = 0;
  }
  return Status::OK();
}

Result<FileContent> FileWriter::Finish() {
  SYNCLINE_RETURN_IF_ERROR(chunker_.Finish());
  SYNCLINE_RETURN_IF_ERROR(chunks_->Flush());
  FileContent out;
  out.size = size_;
  out.content_hash = HexEncode(content_hasher_.Finish());
  out.manifest = manifest_.Encode();
  return out;
}

}  // namespace syncline
