#include "util/log.h"

#include <gtest/gtest.h>

#include <vector>

#include "util/json.h"

namespace syncline {
namespace {

TEST(LogTest, FormatsFieldsAsTextAndJson) {
  struct Case {
    std::vector<LogField> fields;
    std::string message;
    std::string text;
    std::string json;  // the payload spdlog wraps in {"time":..,"level":.., PAYLOAD}
  };
  const std::vector<Case> cases = {
      {{}, "", "sync.run", R"("event":"sync.run")"},
      {{{"db", "docs"}, {"items", int64_t{3}}},
       "done",
       "sync.run db=docs items=3: done",
       R"("event":"sync.run","db":"docs","items":3,"message":"done")"},
      // Values that would not read back as one token are quoted and escaped.
      {{{"destination", "a b"}, {"error_code", "x=\"y\""}},
       "",
       R"(sync.run destination="a b" error_code="x=\"y\"")",
       R"("event":"sync.run","destination":"a b","error_code":"x=\"y\"")"},
      {{{"client", ""}}, "line\nbreak", R"(sync.run client="": line\nbreak)",
       R"("event":"sync.run","client":"","message":"line\nbreak")"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatLogLine(LogFormat::kText, "sync.run", c.fields, c.message), c.text);
    std::string json = FormatLogLine(LogFormat::kJson, "sync.run", c.fields, c.message);
    EXPECT_EQ(json, c.json);
    // Whatever the values, the JSON line parses.
    Result<Json> parsed = ParseJson("{" + json + "}");
    ASSERT_TRUE(parsed.ok()) << json;
    EXPECT_EQ((*parsed)["event"], "sync.run");
  }
}

TEST(LogTest, ParsesFormatsAndLevels) {
  struct Case {
    const char* name;
    bool format_ok;
    bool level_ok;
  };
  const Case cases[] = {{"text", true, false},  {"json", true, false},  {"debug", false, true},
                        {"info", false, true},  {"warn", false, true},  {"error", false, true},
                        {"JSON", false, false}, {"", false, false},     {"trace", false, false}};
  for (const Case& c : cases) {
    EXPECT_EQ(ParseLogFormat(c.name).ok(), c.format_ok) << c.name;
    EXPECT_EQ(ParseLogLevel(c.name).ok(), c.level_ok) << c.name;
    if (!c.format_ok) {
      EXPECT_EQ(ParseLogFormat(c.name).status().code(), Status::Code::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace syncline
