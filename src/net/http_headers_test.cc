// The header parsers, table-driven: every form RFC 9110 allows, and the ones it does not.
#include "net/http_headers.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

struct TagCase {
  const char* header;
  bool ok;
  bool any;
  std::vector<int64_t> if_match_etags;       // strong comparison: weak tags dropped
  std::vector<int64_t> if_none_match_etags;  // weak comparison: weak tags kept
};

TEST(HttpHeadersTest, EntityTagLists) {
  const TagCase cases[] = {
      {"*", true, true, {}, {}},
      {" * ", true, true, {}, {}},
      {"\"3\"", true, false, {3}, {3}},
      {"3", true, false, {3}, {3}},  // bare, as older clients sent
      {"W/\"3\"", true, false, {}, {3}},
      {"\"3\", W/\"4\", \"5\"", true, false, {3, 5}, {3, 4, 5}},
      {"\"abc\"", true, false, {}, {}},  // not one of ours: matches nothing
      {"\"\"", true, false, {}, {}},
      {"", false, false, {}, {}},
      {",", false, false, {}, {}},
      {"abc", false, false, {}, {}},
      {"W/3", false, false, {}, {}},
      {"\"3", false, false, {}, {}},
      {"-1", false, false, {}, {}},
      {"\"a\"b\"", false, false, {}, {}},
  };
  for (const TagCase& c : cases) {
    std::string h = c.header;
    auto m = ParsePreconditions(&h, nullptr);
    auto n = ParsePreconditions(nullptr, &h);
    EXPECT_EQ(m.ok(), c.ok) << c.header;
    EXPECT_EQ(n.ok(), c.ok) << c.header;
    if (!c.ok) {
      EXPECT_EQ(m.status().code(), Status::Code::kInvalidArgument) << c.header;
      continue;
    }
    EXPECT_EQ(m->if_match->any, c.any) << c.header;
    EXPECT_EQ(m->if_match->etags, c.if_match_etags) << c.header;
    EXPECT_FALSE(m->if_none_match);
    EXPECT_EQ(n->if_none_match->etags, c.if_none_match_etags) << c.header;
  }
  auto none = ParsePreconditions(nullptr, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

struct RangeCase {
  const char* header;  // null: no Range
  uint64_t size;
  ByteRange::Kind kind;
  uint64_t offset, length;
};

TEST(HttpHeadersTest, ByteRanges) {
  using K = ByteRange::Kind;
  const RangeCase cases[] = {
      {nullptr, 10, K::kWhole, 0, 0},
      {"bytes=0-3", 10, K::kPart, 0, 4},
      {"bytes=2-", 10, K::kPart, 2, 8},
      {"bytes=5-100", 10, K::kPart, 5, 5},
      {"bytes=-3", 10, K::kPart, 7, 3},
      {"bytes=-30", 10, K::kPart, 0, 10},
      {"bytes=10-", 10, K::kUnsatisfiable, 0, 0},
      {"bytes=-0", 10, K::kUnsatisfiable, 0, 0},
      {"bytes=0-0", 0, K::kUnsatisfiable, 0, 0},
      {"items=0-1", 10, K::kWhole, 0, 0},         // another unit: ignored
      {"bytes=0-1,4-5", 10, K::kWhole, 0, 0},     // several ranges: sent whole
      {"bytes=3-1", 10, K::kWhole, 0, 0},         // invalid: ignored
      {"bytes=a-b", 10, K::kWhole, 0, 0},
      {"bytes=", 10, K::kWhole, 0, 0},
      {"bytes=99999999999999999999-", 10, K::kWhole, 0, 0},
  };
  for (const RangeCase& c : cases) {
    std::string h = c.header ? c.header : "";
    ByteRange r = ParseByteRange(c.header ? &h : nullptr, c.size);
    EXPECT_EQ(r.kind, c.kind) << h;
    if (r.kind != K::kPart) continue;
    EXPECT_EQ(r.offset, c.offset) << h;
    EXPECT_EQ(r.length, c.length) << h;
  }
}

TEST(HttpHeadersTest, IfRange) {
  std::string same = "\"4\"", other = "\"5\"", weak = "W/\"4\"", date = "Sat, 29 Oct 1994 19:43:31 GMT";
  EXPECT_TRUE(IfRangeHolds(nullptr, 4));
  EXPECT_TRUE(IfRangeHolds(&same, 4));
  EXPECT_FALSE(IfRangeHolds(&other, 4));
  EXPECT_FALSE(IfRangeHolds(&weak, 4));
  EXPECT_FALSE(IfRangeHolds(&date, 4));
}

}  // namespace
}  // namespace syncline
