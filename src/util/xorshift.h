// Xorshift64: a fast, repeatable stream of incompressible bytes for tests and benchmarks (not
// for anything that needs real randomness: that is Env's Random).
#pragma once

#include <cstddef>
#include <cstdint>

namespace syncline {

class Xorshift64 {
 public:
  explicit Xorshift64(uint64_t seed) : x_(seed * 0x9e3779b97f4a7c15ull + 1) {}

  uint64_t Next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }

  // The next `n` bytes: each word little-endian; a tail takes the low bytes of one more word.
  void Fill(char* buf, size_t n) {
    size_t i = 0;
    while (i < n) {
      uint64_t w = Next();
      for (int b = 0; b < 8 && i < n; ++b, ++i) buf[i] = static_cast<char>(w >> (8 * b));
    }
  }

 private:
  uint64_t x_;
};

}  // namespace syncline
