#include "util/json.h"

#include <gtest/gtest.h>

namespace syncline {

std::string Nested(int depth) {
  return std::string(depth - 1, '[') + "{\"a\":1}" + std::string(depth - 1, ']');
}

TEST(JsonTest, AcceptsSixtyFourLevels) {
  EXPECT_TRUE(ParseJson(Nested(64)).ok());
}

TEST(JsonTest, RefusesSixtyFiveLevels) {
  auto r = ParseJson(Nested(65));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("64"), std::string::npos);
}

TEST(JsonTest, BracketsInsideStringsDoNotCount) {
  EXPECT_TRUE(ParseJson("{\"a\": \"" + std::string(100, '[') + "\\\"\"}").ok());
}

TEST(JsonTest, RefusesMalformed) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "nul"}) {
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
  }
}

}  // namespace syncline
