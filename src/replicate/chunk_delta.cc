// Signature: per basis chunk, hash (32) + sub-chunk count (u32), then per sub-chunk its size
// (u16) and the low 24 bits of its XXH3-64. With the size, a false match is rare (about one
// per 200,000 lookups at 150,000 basis sub-chunks), costs one whole chunk, and the rebuilt
// chunk's SHA-256 catches it. Recipe: target hash (32) + op count (u32), then
// ops: 0 = copy [basis hash (32), offset (u32), size (u32)], 1 = literal [size (u32), bytes].
// Integers little-endian.
#include "replicate/chunk_delta.h"

#include <xxhash.h>

#include <cstring>

namespace syncline {

namespace {

void PutU(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

// Reads little-endian integers and fixed fields; any overrun marks the reader bad.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t U(int bytes) {
    if (in_.size() < static_cast<size_t>(bytes)) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(bytes);
    return v;
  }
  Sha256Digest Digest() {
    Sha256Digest d{};
    if (in_.size() < d.size()) {
      Fail();
      return d;
    }
    std::memcpy(d.data(), in_.data(), d.size());
    in_.remove_prefix(d.size());
    return d;
  }
  std::string_view Bytes(size_t n) {
    if (in_.size() < n) {
      Fail();
      return {};
    }
    std::string_view v = in_.substr(0, n);
    in_.remove_prefix(n);
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    in_ = {};
    return 0;
  }
  std::string_view in_;
  bool ok_ = true;
};

// Sub-chunks only propose matches; the rebuilt chunk's SHA-256 decides. So a fast
// non-cryptographic hash (XXH3) suffices here.
uint64_t SubHash(std::string_view data) {
  return XXH3_64bits(data.data(), data.size()) & 0xffffffu;
}

template <typename Fn>
void ForEachSubChunk(std::string_view chunk, Fn fn) {
  const auto* p = reinterpret_cast<const uint8_t*>(chunk.data());
  size_t at = 0;
  while (at < chunk.size()) {
    size_t n = NextCutPoint(p + at, chunk.size() - at, kSubChunkParams);
    fn(static_cast<uint32_t>(at), chunk.substr(at, n));
    at += n;
  }
}

}  // namespace

void AppendBasisSignature(const Sha256Digest& hash, std::string_view chunk, std::string* out) {
  out->append(reinterpret_cast<const char*>(hash.data()), hash.size());
  size_t count_at = out->size();
  PutU(out, 0, 4);
  uint32_t count = 0;
  ForEachSubChunk(chunk, [&](uint32_t, std::string_view sub) {
    PutU(out, sub.size(), 2);
    PutU(out, SubHash(sub), 3);
    ++count;
  });
  for (int i = 0; i < 4; ++i) (*out)[count_at + i] = static_cast<char>(count >> (8 * i));
}

Result<BasisIndex> BasisIndex::Parse(std::string_view signature) {
  BasisIndex index;
  Reader r(signature);
  while (r.ok() && !r.done()) {
    Sha256Digest chunk = r.Digest();
    uint64_t count = r.U(4);
    uint32_t offset = 0;
    for (uint64_t i = 0; i < count && r.ok(); ++i) {
      uint32_t size = static_cast<uint32_t>(r.U(2));
      uint64_t h = r.U(3);
      // Keyed by hash and size together.
      index.subs_.try_emplace(h | (static_cast<uint64_t>(size) << 32), Location{chunk, offset, size});
      offset += size;
    }
  }
  if (!r.ok()) return Status::InvalidArgument("malformed basis signature");
  return index;
}

const BasisIndex::Location* BasisIndex::Find(uint64_t hash32, uint32_t size) const {
  auto it = subs_.find(hash32 | (static_cast<uint64_t>(size) << 32));
  return it == subs_.end() ? nullptr : &it->second;
}

size_t AppendRecipe(const Sha256Digest& hash, std::string_view chunk, const BasisIndex& basis,
                    std::string* out) {
  struct Op {
    const BasisIndex::Location* copy;  // null: literal
    uint32_t offset, size;             // copy: in the basis chunk; literal: in `chunk`
  };
  std::vector<Op> ops;
  ForEachSubChunk(chunk, [&](uint32_t at, std::string_view sub) {
    const BasisIndex::Location* loc = basis.Find(SubHash(sub), static_cast<uint32_t>(sub.size()));
    Op op{loc, loc ? loc->offset : at, static_cast<uint32_t>(sub.size())};
    // Merge with the previous op when it continues it.
    if (!ops.empty()) {
      Op& prev = ops.back();
      bool both_literal = !prev.copy && !op.copy;
      bool contiguous_copy = prev.copy && op.copy && prev.copy->chunk == op.copy->chunk &&
                             prev.offset + prev.size == op.offset;
      if (both_literal || contiguous_copy) {
        prev.size += op.size;
        return;
      }
    }
    ops.push_back(op);
  });
  out->append(reinterpret_cast<const char*>(hash.data()), hash.size());
  PutU(out, ops.size(), 4);
  size_t literal = 0;
  for (const Op& op : ops) {
    if (op.copy) {
      out->push_back(0);
      out->append(reinterpret_cast<const char*>(op.copy->chunk.data()), op.copy->chunk.size());
      PutU(out, op.offset, 4);
      PutU(out, op.size, 4);
    } else {
      out->push_back(1);
      PutU(out, op.size, 4);
      out->append(chunk.substr(op.offset, op.size));
      literal += op.size;
    }
  }
  return literal;
}

Status ApplyRecipes(std::string_view batch,
                    const std::function<Status(const Sha256Digest&, std::string*)>& read_basis,
                    const std::function<Status(const Sha256Digest&, std::string_view)>& store,
                    std::vector<Sha256Digest>* failed) {
  Reader r(batch);
  std::string rebuilt, basis;
  Sha256Digest basis_hash{};
  bool have_basis = false;
  while (r.ok() && !r.done()) {
    Sha256Digest target = r.Digest();
    uint64_t ops = r.U(4);
    rebuilt.clear();
    bool usable = true;
    for (uint64_t i = 0; i < ops && r.ok(); ++i) {
      uint64_t kind = r.U(1);
      if (kind == 0) {
        Sha256Digest from = r.Digest();
        uint64_t offset = r.U(4), size = r.U(4);
        if (!r.ok() || !usable) continue;
        if (!have_basis || basis_hash != from) {
          have_basis = read_basis(from, &basis).ok();
          basis_hash = from;
        }
        if (!have_basis || offset + size > basis.size()) {
          usable = false;
          continue;
        }
        rebuilt.append(basis, offset, size);
      } else if (kind == 1) {
        uint64_t size = r.U(4);
        rebuilt.append(r.Bytes(size));
      } else {
        return Status::InvalidArgument("chunk recipe has an unknown operation");
      }
      if (rebuilt.size() > (4u << 20)) return Status::InvalidArgument("chunk recipe is too large");
    }
    if (!r.ok()) break;
    if (usable && Sha256(rebuilt) == target) {
      SYNCLINE_RETURN_IF_ERROR(store(target, rebuilt));
    } else {
      failed->push_back(target);
    }
  }
  if (!r.ok()) return Status::InvalidArgument("malformed chunk recipe batch");
  return Status::OK();
}

}  // namespace syncline
