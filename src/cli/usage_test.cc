// Exit codes and typo suggestions, table-driven.
#include "cli/usage.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

TEST(UsageTest, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(Status::Unavailable("x")), kExitUnavailable);
  for (const Status& s : {Status::NotFound("x"), Status::Conflicted("x"), Status::InvalidArgument("x"),
                          Status::PreconditionFailed("x"), Status::ProtocolError("x"),
                          Status::Unauthenticated("x"), Status::Internal("x")}) {
    EXPECT_EQ(ExitCodeFor(s), kExitFailed) << s.ToString();
  }
}

TEST(UsageTest, NearestWord) {
  const std::vector<std::string> verbs = {"serve", "db", "doc", "file", "changes", "dest",
                                          "sync", "conflicts", "help"};
  const std::vector<std::string> file_verbs = {"put", "get", "meta", "rename", "rm", "ls"};
  struct Case {
    const char* word;
    const std::vector<std::string>* candidates;
    const char* want;
  };
  const Case cases[] = {
      {"fiel", &verbs, "file"},        // swapped letters
      {"flie", &verbs, "file"},
      {"files", &verbs, "file"},       // one extra
      {"chnages", &verbs, "changes"},
      {"conf", &verbs, "conflicts"},   // a prefix
      {"synk", &verbs, "sync"},
      {"xyz", &verbs, ""},             // nothing near
      {"database", &verbs, ""},
      {"lss", &file_verbs, "ls"},
      {"pt", &file_verbs, "put"},
      {"remove", &file_verbs, ""},
      {"mv", &file_verbs, ""},
  };
  for (const Case& c : cases) EXPECT_EQ(NearestWord(c.word, *c.candidates), c.want) << c.word;
}

}  // namespace
}  // namespace syncline
