// Checked JSON accessors: every wrong shape is an error naming the field, never a throw.
#include "util/json_reader.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(JsonReaderTest, RequiredFieldsCheckPresenceAndType) {
  Json j = Json::parse(R"({"s":"x","i":-3,"u":7,"b":true,"o":{},"a":[],"n":null,"f":1.5,
                           "big":18446744073709551615})");
  EXPECT_EQ(*JsonString(j, "s"), "x");
  EXPECT_EQ(*JsonInt(j, "i"), -3);
  EXPECT_EQ(*JsonInt(j, "u"), 7);
  EXPECT_TRUE(*JsonBool(j, "b"));
  EXPECT_TRUE((*JsonObjectField(j, "o"))->is_object());
  EXPECT_TRUE((*JsonArrayField(j, "a"))->is_array());
  struct Case {
    Status status;
    const char* want;
  } cases[] = {
      {JsonString(j, "missing").status(), "'missing' is missing"},
      {JsonString(j, "i").status(), "'i' must be a string"},
      {JsonInt(j, "s").status(), "'s' must be an integer"},
      {JsonInt(j, "f").status(), "'f' must be an integer"},
      {JsonInt(j, "big").status(), "'big' must be an integer below 2^63"},
      {JsonInt(j, "n").status(), "'n' must be an integer"},
      {JsonBool(j, "s").status(), "'s' must be true or false"},
      {JsonObjectField(j, "a").status(), "'a' must be an object"},
      {JsonArrayField(j, "o").status(), "'o' must be an array"},
      {JsonString(Json::array(), "s").status(), "'s' is missing"},
      {JsonString(Json("text"), "s").status(), "'s' is missing"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), Status::Code::kInvalidArgument) << c.want;
    EXPECT_EQ(c.status.message(), c.want);
  }
}

TEST(JsonReaderTest, OptionalFieldsDefaultOnlyWhenAbsentOrNull) {
  Json j = Json::parse(R"({"n":null,"s":"x","i":4})");
  EXPECT_EQ(*JsonStringOr(j, "absent", "d"), "d");
  EXPECT_EQ(*JsonStringOr(j, "n", "d"), "d");
  EXPECT_EQ(*JsonStringOr(j, "s", "d"), "x");
  EXPECT_EQ(*JsonIntOr(j, "absent", 9), 9);
  EXPECT_EQ(*JsonIntOr(j, "i", 9), 4);
  EXPECT_TRUE(*JsonBoolOr(j, "absent", true));
  // A wrong type is an error, not the default.
  EXPECT_FALSE(JsonStringOr(j, "i", "d").ok());
  EXPECT_FALSE(JsonIntOr(j, "s", 9).ok());
  EXPECT_FALSE(JsonBoolOr(j, "s", true).ok());
}

TEST(JsonReaderTest, StatusFieldsRoundTripAndRefuseWrongTypes) {
  Status out = Status::Internal("stale");
  ASSERT_OK(ReadJsonStatus(Json::parse(R"({"error":null})"), "error", "code", &out));
  EXPECT_TRUE(out.ok());
  ASSERT_OK(ReadJsonStatus(Json::parse(R"({"error":"gone","code":"not_found"})"), "error",
                           "code", &out));
  EXPECT_EQ(out.code(), Status::Code::kNotFound);
  EXPECT_EQ(out.message(), "gone");
  ASSERT_OK(ReadJsonStatus(Json::parse(R"({"error":"x","code":"nonsense"})"), "error", "code", &out));
  EXPECT_EQ(out.code(), Status::Code::kInternal);
  ASSERT_OK(ReadJsonStatus(Json::parse(R"({"error":"x","code":"ok"})"), "error", "code", &out));
  EXPECT_EQ(out.code(), Status::Code::kInternal);
  EXPECT_FALSE(ReadJsonStatus(Json::parse(R"({"error":5})"), "error", "code", &out).ok());
}

TEST(JsonReaderTest, StoredJsonAndDumpNeverThrow) {
  EXPECT_TRUE(ParseStoredJson("{broken").is_null());
  EXPECT_EQ(ParseStoredJson(R"({"a":1})")["a"], 1);
  Json bad = std::string("\xff\xfe", 2);  // invalid UTF-8: dump() would throw
  EXPECT_EQ(DumpJson(bad), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_FALSE(ParseJsonObject("[1]").ok());
  EXPECT_TRUE(ParseJsonObject("{}").ok());
}

}  // namespace
}  // namespace syncline
