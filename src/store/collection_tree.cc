// The collection tree's arithmetic (collection_tree.h).
#include "store/collection_tree.h"

#include "util/base64.h"

namespace syncline {

namespace {

constexpr int kKeyHashBits = 32;

void PutLength(std::string* out, size_t n) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

// The two's complement of x modulo 2^256.
std::array<uint8_t, 32> Negate(const std::array<uint8_t, 32>& x) {
  std::array<uint8_t, 32> out;
  unsigned carry = 1;
  for (int i = 31; i >= 0; --i) {
    unsigned v = static_cast<uint8_t>(~x[i]) + carry;
    out[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return out;
}

}  // namespace

bool TreeNode::Valid() const {
  return level >= 0 && level <= kTreeDepth &&
         (uint64_t{prefix} >> (kTreeBitsPerLevel * level)) == 0;
}

uint32_t TreeNode::FirstKeyHash() const {
  int shift = kKeyHashBits - kTreeBitsPerLevel * level;
  return shift >= kKeyHashBits ? 0 : prefix << shift;
}

uint32_t TreeNode::LastKeyHash() const {
  int shift = kKeyHashBits - kTreeBitsPerLevel * level;
  if (shift >= kKeyHashBits) return UINT32_MAX;
  return FirstKeyHash() | static_cast<uint32_t>((uint64_t{1} << shift) - 1);
}

TreeNode TreeNode::AncestorAt(int to) const {
  return {to, prefix >> (kTreeBitsPerLevel * (level - to))};
}

TreeNode NodeOfKeyHash(uint32_t key_hash, int level) {
  if (level == 0) return {0, 0};
  return {level, key_hash >> (kKeyHashBits - kTreeBitsPerLevel * level)};
}

uint32_t TreeKeyHash(std::string_view key) {
  Sha256Digest d = Sha256(key);
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

Sha256Digest TreeDocumentHash(std::string_view key, std::string_view version_vector,
                              std::string_view body) {
  // Length-prefixed, so no two different triples give the same input.
  std::string in = "syncline-tree-1";
  in.reserve(in.size() + 12 + key.size() + version_vector.size() + body.size());
  for (std::string_view part : {key, version_vector, body}) {
    PutLength(&in, part.size());
    in.append(part);
  }
  return Sha256(in);
}

void TreeAddInPlace(std::array<uint8_t, 32>* acc, const std::array<uint8_t, 32>& x) {
  unsigned carry = 0;
  for (int i = 31; i >= 0; --i) {
    unsigned v = unsigned{(*acc)[i]} + x[i] + carry;
    (*acc)[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
}

void TreeSum::Add(const Sha256Digest& hash) {
  TreeAddInPlace(&sum_, hash);
  ++count_;
}

void TreeSum::Remove(const Sha256Digest& hash) {
  TreeAddInPlace(&sum_, Negate(hash));
  --count_;
}

void TreeSum::Merge(const TreeSum& other) {
  TreeAddInPlace(&sum_, other.sum_);
  count_ += other.count_;
}

bool TreeSum::empty() const {
  if (count_ != 0) return false;
  for (uint8_t b : sum_) {
    if (b != 0) return false;
  }
  return true;
}

bool TreeSum::FromParts(std::string_view sum, int64_t count, TreeSum* out) {
  if (sum.size() != out->sum_.size()) return false;
  std::copy(sum.begin(), sum.end(), out->sum_.begin());
  out->count_ = count;
  return true;
}

std::string TreeSum::Digest() const {
  std::string in(sum_.begin(), sum_.end());
  PutLength(&in, static_cast<size_t>(count_ >> 32));
  PutLength(&in, static_cast<size_t>(count_ & 0xffffffff));
  Sha256Digest d = Sha256(in);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(d.data()), 16));
}

}  // namespace syncline
