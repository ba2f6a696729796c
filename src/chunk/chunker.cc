// FastCDC (Xia et al., USENIX ATC 2016) with normalization level 2.
#include "chunk/chunker.h"

#include <algorithm>
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
  // Bytes held from earlier appends (fewer than max_size) come first: completed from `data` to
  // max_size, enough for one cut, as often as the cut falls among them.
  while (!buf_.empty() && !data.empty()) {
    size_t held = buf_.size();
    assert(held < params_.max_size);
    size_t take = std::min(data.size(), params_.max_size - held);
    buf_.append(data.substr(0, take));
    if (buf_.size() < params_.max_size) return Status::OK();  // all of data held
    size_t cut = NextCutPoint(reinterpret_cast<const uint8_t*>(buf_.data()), buf_.size(), params_);
    SYNCLINE_RETURN_IF_ERROR(sink_(std::string_view(buf_.data(), cut)));
    if (cut >= held) {
      // The chunk ended in bytes of `data`: go on in `data` itself.
      data.remove_prefix(cut - held);
      buf_.clear();
    } else {
      buf_.resize(held);  // `data` is still whole: copy from it again
      buf_.erase(0, cut);
    }
  }
  if (data.empty()) return Status::OK();
  // Nothing held: cut straight from the caller's bytes, with no copy.
  while (data.size() >= params_.max_size) {
    size_t cut = NextCutPoint(reinterpret_cast<const uint8_t*>(data.data()), data.size(), params_);
    SYNCLINE_RETURN_IF_ERROR(sink_(data.substr(0, cut)));
    data.remove_prefix(cut);
  }
  buf_.assign(data);  // fewer than max_size: a later append may move the cut
  return Status::OK();
}

Status Chunker::Finish() {
  std::string_view rest = buf_;
  Status s;
  while (!rest.empty() && s.ok()) {
    size_t cut = NextCutPoint(reinterpret_cast<const uint8_t*>(rest.data()), rest.size(), params_);
    s = sink_(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  buf_.clear();
  return s;
}

}  // namespace syncline
