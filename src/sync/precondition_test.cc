// Precondition decisions, table-driven: every combination of If-Match, If-None-Match and the
// item's state that RFC 9110 section 13.2.2 distinguishes.
#include "sync/precondition.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

using Read = Precondition::ReadOutcome;

const EtagCondition kAny{true, {}};
EtagCondition Etags(std::vector<int64_t> e) { return {false, std::move(e)}; }

struct Case {
  const char* name;
  std::optional<EtagCondition> if_match, if_none_match;
  std::optional<int64_t> current;  // nullopt: no live item
  bool write_ok;
  Read read;
};

TEST(PreconditionTest, Table) {
  const Case cases[] = {
      {"none, absent", std::nullopt, std::nullopt, std::nullopt, true, Read::kServe},
      {"none, present", std::nullopt, std::nullopt, 3, true, Read::kServe},
      {"match *, present", kAny, std::nullopt, 3, true, Read::kServe},
      {"match *, absent", kAny, std::nullopt, std::nullopt, false, Read::kFailed},
      {"match 3, at 3", Etags({3}), std::nullopt, 3, true, Read::kServe},
      {"match 3, at 4", Etags({3}), std::nullopt, 4, false, Read::kFailed},
      {"match 3, absent", Etags({3}), std::nullopt, std::nullopt, false, Read::kFailed},
      {"match 2 or 4, at 4", Etags({2, 4}), std::nullopt, 4, true, Read::kServe},
      {"match only weak (empty list), at 3", Etags({}), std::nullopt, 3, false, Read::kFailed},
      {"none-match *, absent (create only)", std::nullopt, kAny, std::nullopt, true, Read::kServe},
      {"none-match *, present", std::nullopt, kAny, 3, false, Read::kNotModified},
      {"none-match 3, at 3", std::nullopt, Etags({3}), 3, false, Read::kNotModified},
      {"none-match 3, at 4", std::nullopt, Etags({3}), 4, true, Read::kServe},
      {"none-match 3, absent", std::nullopt, Etags({3}), std::nullopt, true, Read::kServe},
      {"both, match fails first", Etags({2}), Etags({3}), 3, false, Read::kFailed},
      {"both, match holds, none-match hits", Etags({3}), Etags({3}), 3, false, Read::kNotModified},
      {"both hold", Etags({3}), Etags({2}), 3, true, Read::kServe},
  };
  for (const Case& c : cases) {
    Precondition p;
    p.if_match = c.if_match;
    p.if_none_match = c.if_none_match;
    Status s = p.CheckWrite(c.current);
    EXPECT_EQ(s.ok(), c.write_ok) << c.name << ": " << s.ToString();
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Status::Code::kPreconditionFailed) << c.name;
    }
    EXPECT_EQ(p.CheckRead(c.current), c.read) << c.name;
  }
}

TEST(PreconditionTest, FailuresNameTheCurrentEtag) {
  Status s = Precondition(int64_t{1}).CheckWrite(5);
  EXPECT_NE(s.message().find("current etag is 5"), std::string::npos) << s.message();
  Precondition create;
  create.if_none_match = kAny;
  s = create.CheckWrite(7);
  EXPECT_NE(s.message().find("already exists (etag 7)"), std::string::npos) << s.message();
}

TEST(PreconditionTest, AnOptionalEtagIsIfMatch) {
  EXPECT_TRUE(Precondition(std::optional<int64_t>()).empty());
  EXPECT_TRUE(Precondition(std::nullopt).empty());
  Precondition p(std::optional<int64_t>(4));
  ASSERT_TRUE(p.if_match);
  EXPECT_EQ(p.if_match->etags, std::vector<int64_t>{4});
}

}  // namespace
}  // namespace syncline
