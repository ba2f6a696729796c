// The display helpers, table-driven.
#include "cli/display.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

TEST(DisplayTest, DisplayWidth) {
  struct Case {
    const char* text;
    size_t width;
  };
  const Case cases[] = {
      {"", 0},
      {"summer", 6},
      {"été", 3},                 // two-byte letters
      {"e\xcc\x81t\xc3\xa9", 3},  // e + combining acute, t, é
      {"写真", 4},                // wide
      {"🌊", 2},
      {"a\xff" "b", 3},           // an invalid byte counts one
      {"\xe5\x86", 2},            // a cut character: its bytes count one each
  };
  for (const Case& c : cases) EXPECT_EQ(DisplayWidth(c.text), c.width) << c.text;
}

TEST(DisplayTest, TablesAlignByDisplayWidth) {
  std::string t = FormatTable({"NAME", "ETAG"}, {{"写真.jpg", "1"}, {"été.txt", "2"}, {"a", "3"}});
  EXPECT_EQ(t,
            "NAME      ETAG\n"
            "写真.jpg  1\n"
            "été.txt   2\n"
            "a         3\n");
}

TEST(DisplayTest, ItemLabelsAndWhatTheyMayName) {
  EXPECT_EQ(ItemLabel(Json{{"name", "a/b.jpg"}, {"collection", nullptr}}), "a/b.jpg");
  EXPECT_EQ(ItemLabel(Json{{"name", "summer"}, {"collection", "albums"}}), "albums/summer");
  EXPECT_EQ(ItemLabel(Json{{"key", "k"}, {"collection", "c"}}), "c/k");
  using Candidates = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ItemCandidates("beach.jpg", ""), (Candidates{{"beach.jpg", ""}}));
  EXPECT_EQ(ItemCandidates("albums/summer", ""),
            (Candidates{{"albums/summer", ""}, {"summer", "albums"}}));
  EXPECT_EQ(ItemCandidates("a/b/c", ""), (Candidates{{"a/b/c", ""}, {"b/c", "a"}}));
  EXPECT_EQ(ItemCandidates("summer", "albums"), (Candidates{{"summer", "albums"}}));
  EXPECT_EQ(ItemCandidates("/x", ""), (Candidates{{"/x", ""}}));
  EXPECT_EQ(ItemCandidates("x/", ""), (Candidates{{"x/", ""}}));
}

TEST(DisplayTest, ShortVersionVectors) {
  Json vv = {{"3f2a1b2c-aaaa-bbbb-cccc-111122223333", 3}, {"9e8d7c6b-dddd-eeee-ffff-444455556666", 1}};
  EXPECT_EQ(ShortVersionVector(vv), "3f2a1b2c:3, 9e8d7c6b:1");
  EXPECT_EQ(ShortVersionVector(vv, "9e8d7c6b-dddd-eeee-ffff-444455556666"), "9e8d7c6b:1, 3f2a1b2c:3");
  Json tie = {{"aaaaaaaa-1", 1}, {"bbbbbbbb-2", 1}, {"cccccccc-3", 5}};
  EXPECT_EQ(ShortVersionVector(tie, "bbbbbbbb-2"), "bbbbbbbb:1, cccccccc:5, aaaaaaaa:1");
  EXPECT_EQ(ShortVersionVector(Json::object()), "-");
  EXPECT_EQ(ShortVersionVector(Json()), "null");
}

}  // namespace
}  // namespace syncline
