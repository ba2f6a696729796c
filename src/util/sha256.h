// SHA-256 through OpenSSL (which uses the CPU's SHA extensions where present).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace syncline {

using Sha256Digest = std::array<uint8_t, 32>;

// One-shot digest of `data`.
Sha256Digest Sha256(std::string_view data);

// Incremental digest. Not thread-safe; one hasher per stream.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(const void* data, size_t n);
  // Returns the digest and resets the hasher for a new stream.
  Sha256Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hex of any bytes, and back (Decode returns false on bad input).
std::string HexEncode(const void* data, size_t n);
inline std::string HexEncode(const Sha256Digest& d) { return HexEncode(d.data(), d.size()); }
bool HexDecode(std::string_view hex, Sha256Digest* out);

}  // namespace syncline
