// Record: hash (32 bytes), encoding (1 byte: 0 raw, 1 zstd), raw length and payload length
// (4 bytes each, little-endian), payload.
#include "replicate/chunk_batch.h"

#include <zstd.h>

#include <cstring>

namespace syncline {

namespace {

constexpr size_t kHeaderBytes = 32 + 1 + 4 + 4;

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}

uint32_t GetU32(const char* p) {
  auto u = [&](int i) { return static_cast<uint32_t>(static_cast<uint8_t>(p[i])); };
  return u(0) | u(1) << 8 | u(2) << 16 | u(3) << 24;
}

}  // namespace

struct ChunkBatchWriter::Compressor {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ~Compressor() { ZSTD_freeCCtx(ctx); }
  size_t Compress(std::string* out, std::string_view in) {
    return ZSTD_compressCCtx(ctx, out->data(), out->size(), in.data(), in.size(), 1);
  }
};

ChunkBatchWriter::ChunkBatchWriter() : zstd_(std::make_unique<Compressor>()) {}
ChunkBatchWriter::~ChunkBatchWriter() = default;

void ChunkBatchWriter::Add(const Sha256Digest& hash, std::string_view data) {
  scratch_.resize(ZSTD_compressBound(data.size()));
  // Level 1: the wire is fast here; most gain comes from not resending chunks at all. A first
  // 4 KiB that does not shrink says the chunk is incompressible (media, ciphertext): skip it.
  constexpr size_t kSample = 4096;
  bool compress = true;
  if (data.size() > 2 * kSample) {
    size_t n = zstd_->Compress(&scratch_, data.substr(0, kSample));
    compress = !ZSTD_isError(n) && n < kSample * 97 / 100;
  }
  size_t n = compress ? zstd_->Compress(&scratch_, data) : 0;
  compress = compress && !ZSTD_isError(n) && n < data.size();
  out_.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  out_.push_back(compress ? 1 : 0);
  PutU32(&out_, static_cast<uint32_t>(data.size()));
  PutU32(&out_, static_cast<uint32_t>(compress ? n : data.size()));
  if (compress) {
    out_.append(scratch_.data(), n);
  } else {
    out_.append(data);
  }
  ++count_;
}

Status ForEachBatchChunk(std::string_view batch,
                         const std::function<Status(const Sha256Digest&, std::string_view)>& fn) {
  std::string raw;
  while (!batch.empty()) {
    if (batch.size() < kHeaderBytes) return Status::InvalidArgument("chunk batch is truncated");
    Sha256Digest hash;
    std::memcpy(hash.data(), batch.data(), hash.size());
    uint8_t encoding = static_cast<uint8_t>(batch[32]);
    uint32_t raw_len = GetU32(batch.data() + 33), len = GetU32(batch.data() + 37);
    batch.remove_prefix(kHeaderBytes);
    if (encoding > 1 || raw_len > kMaxBatchChunkBytes || len > batch.size()) {
      return Status::InvalidArgument("chunk batch has a malformed record");
    }
    std::string_view payload = batch.substr(0, len);
    batch.remove_prefix(len);
    std::string_view data = payload;
    if (encoding == 1) {
      raw.resize(raw_len);
      size_t n = ZSTD_decompress(raw.data(), raw.size(), payload.data(), payload.size());
      if (ZSTD_isError(n) || n != raw_len) {
        return Status::InvalidArgument("chunk batch has a chunk that does not decompress");
      }
      data = raw;
    } else if (len != raw_len) {
      return Status::InvalidArgument("chunk batch has a malformed record");
    }
    if (Sha256(data) != hash) {
      return Status::Corruption("chunk " + HexEncode(hash) + " does not match its hash");
    }
    SYNCLINE_RETURN_IF_ERROR(fn(hash, data));
  }
  return Status::OK();
}

}  // namespace syncline
