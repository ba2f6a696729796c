// UUID version 4 formatting (RFC 4122).
#include "util/uuid.h"

#include <cstdint>

#include "util/sha256.h"

namespace syncline {

std::string NewUuid(Random* random) {
  uint8_t b[16];
  random->Fill(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace syncline
