// FileWriter: turns a stream of file content into stored chunks and a manifest.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chunk/chunker.h"
#include "chunk/manifest.h"
#include "store/store.h"
#include "util/sha256.h"

namespace syncline {

// What a finished upload produced; committing it as a file version is the caller's job.
struct FileContent {
  int64_t size = 0;
  std::string content_hash;  // hex SHA-256 of the whole content
  std::string manifest;      // encoded Manifest
};

// Cuts content into chunks as it arrives, stores each chunk the database does not have yet,
// and hashes the whole content. Memory stays bounded by a few chunks whatever the file size.
// Chunks stored before a failure stay (a retry need not send them again). Not thread-safe.
class FileWriter {
 public:
  // Durable flushes of new chunk bytes happen at least this often.
  static constexpr uint64_t kFlushBytes = 64ull << 20;

  static Result<std::unique_ptr<FileWriter>> Open(Store* store, std::string_view db);

  Status Append(std::string_view data);
  // Ends the stream; every chunk is durable when this returns OK.
  Result<FileContent> Finish();

 private:
  FileWriter(std::unique_ptr<ChunkWriter> chunks);
  Status OnChunk(std::string_view chunk);

  std::unique_ptr<ChunkWriter> chunks_;
  Chunker chunker_;
  Sha256Hasher content_hasher_;
  Sha256Hasher chunk_hasher_;
  Manifest manifest_;
  int64_t size_ = 0;
  uint64_t unflushed_ = 0;
};

}  // namespace syncline
