// Manifest encoding: version byte, varint count, then per chunk 32 hash bytes + varint size.
#include "chunk/manifest.h"

#include <cstring>

#include "util/coding.h"

namespace syncline {

namespace {
constexpr char kManifestVersion = 1;
}

uint64_t Manifest::TotalSize() const {
  uint64_t n = 0;
  for (const auto& c : chunks) n += c.size;
  return n;
}

size_t Manifest::ChunkAt(uint64_t offset, uint64_t* chunk_start) const {
  uint64_t start = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (offset < start + chunks[i].size) {
      *chunk_start = start;
      return i;
    }
    start += chunks[i].size;
  }
  *chunk_start = start;
  return chunks.size();
}

std::string Manifest::Encode() const {
  std::string out;
  out.reserve(2 + chunks.size() * 36);
  out.push_back(kManifestVersion);
  PutVarint64(&out, chunks.size());
  for (const auto& c : chunks) {
    out.append(reinterpret_cast<const char*>(c.hash.data()), c.hash.size());
    PutVarint64(&out, c.size);
  }
  return out;
}

Result<Manifest> Manifest::Decode(std::string_view in) {
  Manifest m;
  if (in.empty()) return m;  // the empty file
  if (in[0] != kManifestVersion) return Status::Corruption("unknown manifest version");
  in.remove_prefix(1);
  uint64_t count = 0;
  if (!GetVarint64(&in, &count) || count > in.size() / 33) {
    return Status::Corruption("bad manifest chunk count");
  }
  m.chunks.resize(count);
  for (auto& c : m.chunks) {
    uint64_t size = 0;
    if (in.size() < c.hash.size()) return Status::Corruption("truncated manifest");
    std::memcpy(c.hash.data(), in.data(), c.hash.size());
    in.remove_prefix(c.hash.size());
    if (!GetVarint64(&in, &size) || size == 0 || size > UINT32_MAX) {
      return Status::Corruption("bad manifest chunk size");
    }
    c.size = static_cast<uint32_t>(size);
  }
  if (!in.empty()) return Status::Corruption("trailing bytes after manifest");
  return m;
}

}  // namespace syncline
