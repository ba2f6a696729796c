#include "util/name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_util.h"

namespace syncline {

TEST(NameTest, AcceptsPathsWithSegments) {
  EXPECT_TRUE(ValidateItemName("a").ok());
  EXPECT_TRUE(ValidateItemName("photos/2024/cat.jpg").ok());
  EXPECT_TRUE(ValidateItemName("..hidden/x..y").ok());
  EXPECT_TRUE(ValidateItemName(std::string(1024, 'x')).ok());
}

TEST(NameTest, RefusesDotDotEmptySegmentsNulAndLongNames) {
  for (const std::string& bad : std::vector<std::string>{"", "..", "a/../b", "../a", "a/..", "./a", "a//b", "/a", "a/",
                          std::string("a\0b", 3), std::string(1025, 'x')}) {
    Status s = ValidateItemName(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << "accepted: " << bad;
  }
}

// Names travel in JSON: a name that is not UTF-8 would make every listing of it fail.
TEST(NameTest, NamesMustBeWellFormedUtf8) {
  for (const char* good : {"caf\xC3\xA9", "\xE2\x82\xAC/x", "\xF0\x9F\x98\x80.txt", "\xEF\xBF\xBF"}) {
    EXPECT_TRUE(ValidateItemName(good).ok()) << "refused: " << good;
  }
  for (const char* bad : {"\xFF", "a\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\x80", "\xE2\x82", "\xF8\x88\x80\x80\x80"}) {
    EXPECT_EQ(ValidateItemName(bad).code(), Status::Code::kInvalidArgument) << "accepted: " << bad;
  }
}

TEST(NameTest, DatabaseNamesAreLowerCaseWords) {
  EXPECT_TRUE(ValidateDatabaseName("photos").ok());
  EXPECT_TRUE(ValidateDatabaseName("team-1_a").ok());
  for (const std::string& bad : std::vector<std::string>{"", "Photos", "a/b", "-x", "_x", "a b", std::string(65, 'a')}) {
    EXPECT_FALSE(ValidateDatabaseName(bad).ok()) << "accepted: " << bad;
  }
}

TEST(NameTest, CollectionNames) {
  EXPECT_TRUE(ValidateCollectionName("Users.v2-x").ok());
  for (const std::string& bad : std::vector<std::string>{"", "_x", ".x", "a/b", "a b"}) {
    EXPECT_FALSE(ValidateCollectionName(bad).ok()) << "accepted: " << bad;
  }
}

}  // namespace syncline

namespace syncline {
namespace {

TEST(NameTest, UserNames) {
  for (const char* good : {"alice", "a", "Bob.Smith", "ops-1", "me@example.com", "x_y"}) {
    EXPECT_OK(ValidateUserName(good));
  }
  for (const char* bad : {"", "-x", ".x", "a b", "a/b", "é", "a:b"}) {
    EXPECT_EQ(ValidateUserName(bad).code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateUserName(std::string(65, 'a')).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace syncline
