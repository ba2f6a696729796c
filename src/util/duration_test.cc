#include "util/duration.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

TEST(DurationTest, Table) {
  struct Case {
    const char* text;
    int64_t seconds;  // 0: refused
  };
  const Case cases[] = {
      {"90", 90},      {"90s", 90},  {"15m", 900}, {"12h", 43200}, {"30d", 2592000},
      {"", 0},         {"s", 0},     {"0", 0},     {"-5m", 0},     {"1.5h", 0},
      {"10w", 0},      {"1 d", 0},   {"99999d", 0}, {"3650d", 315360000},
  };
  for (const Case& c : cases) {
    Result<int64_t> r = ParseDurationSeconds(c.text);
    if (c.seconds == 0) {
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << c.text;
    } else {
      ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.seconds) << c.text;
    }
  }
}

}  // namespace
}  // namespace syncline
