#include "util/sha256.h"

#include <gtest/gtest.h>

#include "util/coding.h"

namespace syncline {

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string data(100000, 'x');
  Sha256Hasher h;
  h.Update(data.data(), 1);
  h.Update(data.data() + 1, data.size() - 1);
  EXPECT_EQ(h.Finish(), Sha256(data));
  EXPECT_EQ(h.Finish(), Sha256(""));  // Finish resets
}

TEST(Sha256Test, HexRoundTrip) {
  Sha256Digest d = Sha256("x"), back;
  ASSERT_TRUE(HexDecode(HexEncode(d), &back));
  EXPECT_EQ(d, back);
  EXPECT_FALSE(HexDecode("zz", &back));
}

TEST(CodingTest, VarintRoundTripAndTruncation) {
  std::string buf;
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) PutVarint64(&buf, v);
  std::string_view in(buf);
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  std::string_view truncated("\x80", 1);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&truncated, &v));
}

}  // namespace syncline
