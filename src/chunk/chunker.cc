// FastCDC (Xia et al., USENIX ATC 2016) with normalization level 2.
#include "chunk/chunker.h"

#include <array>
#include <bit>
#include <cassert>
#include <cstring>

namespace syncline {

namespace {

// 256 pseudo-random 64-bit values from SplitMix64 with a fixed seed: the gear table. Pinned by
// the golden-vector test; see docs/formats/chunk.md.
constexpr std::array<uint64_t, 256> MakeGearTable() {
  std::array<uint64_t, 256> t{};
  uint64_t x = 0x53796e636c696e65ull;  // "Syncline"
  for (auto& v : t) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    v = z ^ (z >> 31);
  }
  return t;
}
constexpr std::array<uint64_t, 256> kGear = MakeGearTable();

// A mask of the top `bits` bits: with the gear hash shifting left, the top bits mix the most
// recent 64 bytes, so a cut depends on a 64-byte window.
constexpr uint64_t TopBits(int bits) { return ~uint64_t{0} << (64 - bits); }

}  // namespace

size_t NextCutPoint(const uint8_t* data, size_t n, const ChunkerParams& p) {
  if (n <= p.min_size) return n;
  if (n > p.max_size) n = p.max_size;
  size_t normal = p.avg_size < n ? p.avg_size : n;
  int avg_bits = std::countr_zero(p.avg_size);
  // Normalized chunking: a stricter mask before the average size and a looser one after it
  // pulls chunk sizes toward the average.
  const uint64_t mask_small = TopBits(avg_bits + 2);
  const uint64_t mask_large = TopBits(avg_bits - 2);
  uint64_t fp = 0;
  size_t i = p.min_size;
  for (; i < normal; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if (!(fp & mask_small)) return i + 1;
  }
  for (; i < n; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if (!(fp & mask_large)) return i + 1;
  }
  return n;
}

Chunker::Chunker(Sink sink, ChunkerParams params) : sink_(std::move(sink)), params_(params) {
  assert(std::has_single_bit(params_.avg_size));  // masks are derived from its bit count
  assert(params_.min_size < params_.avg_size && params_.avg_size < params_.max_size);
}

Status Chunker::Append(std::string_view data) {
  // Compact before growing, so the buffer stays within about max_size plus one append.
  if (pos_ > 0 && buf_.size() - pos_ < params_.max_size) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data);
  return Drain(false);
}

Status Chunker::Finish() {
  Status s = Drain(true);
  buf_.clear();
  pos_ = 0;
  return s;
}

Status Chunker::Drain(bool final) {
  const auto* base = reinterpret_cast<const uint8_t*>(buf_.data());
  while (pos_ < buf_.size()) {
    size_t avail = buf_.size() - pos_;
    if (!final && avail < params_.max_size) break;  // a later append may move the cut
    size_t cut = NextCutPoint(base + pos_, avail, params_);
    SYNCLINE_RETURN_IF_ERROR(sink_(std::string_view(buf_.data() + pos_, cut)));
    pos_ += cut;
  }
  return Status::OK();
}

}  // namespace syncline
