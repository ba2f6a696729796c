// The source's decoding of a destination's replies: each malformed shape is a ProtocolError
// naming the operation; well-formed replies decode.
#include "replicate/protocol.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace syncline {
namespace {

Json J(const char* text) { return Json::parse(text); }

TEST(ProtocolTest, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ProtoOp::kChunkRecipes); ++i) {
    auto op = static_cast<ProtoOp>(i);
    EXPECT_EQ(ParseProtoOp(ProtoOpName(op)), op);
  }
  EXPECT_FALSE(ParseProtoOp("drop-everything"));
  for (int i = 0; i <= static_cast<int>(ProtoOutcome::kNeedsContent); ++i) {
    auto o = static_cast<ProtoOutcome>(i);
    EXPECT_EQ(ParseProtoOutcome(ProtoOutcomeName(o)), o);
  }
  EXPECT_TRUE(IsBinaryOp(ProtoOp::kChunks));
  EXPECT_FALSE(IsBinaryOp(ProtoOp::kFileBegin));
}

TEST(ProtocolTest, MalformedRepliesAreProtocolErrors) {
  struct Case {
    const char* name;
    Status status;
  } cases[] = {
      {"last_etag a string", DecodeLastEtagReply(ProtoOp::kLastEtag, J(R"({"last_etag":"not-a-number"})")).status()},
      {"last_etag missing", DecodeLastEtagReply(ProtoOp::kLastEtag, J("{}")).status()},
      {"last_etag negative", DecodeLastEtagReply(ProtoOp::kSetLastEtag, J(R"({"last_etag":-1})")).status()},
      {"last_etag float", DecodeLastEtagReply(ProtoOp::kLastEtag, J(R"({"last_etag":1.5})")).status()},
      {"state not an array", DecodeStateReply(J(R"({"items":{}})"), 1).status()},
      {"state wrong count", DecodeStateReply(J(R"({"items":[]})"), 1).status()},
      {"state exists a string", DecodeStateReply(J(R"({"items":[{"exists":"yes"}]})"), 1).status()},
      {"state vv an array", DecodeStateReply(J(R"({"items":[{"exists":true,"version_vector":[],"deleted":false}]})"), 1).status()},
      {"state vv bad counter", DecodeStateReply(J(R"({"items":[{"exists":true,"version_vector":{"n":"x"},"deleted":false}]})"), 1).status()},
      {"docs short", DecodeApplyDocsReply(J(R"({"results":[]})"), 2).status()},
      {"docs unknown outcome", DecodeApplyDocsReply(J(R"({"results":[{"outcome":"eaten"}]})"), 1).status()},
      {"docs proceed", DecodeApplyDocsReply(J(R"({"results":[{"outcome":"proceed"}]})"), 1).status()},
      {"docs error not an object", DecodeApplyDocsReply(J(R"({"results":[7]})"), 1).status()},
      {"begin no outcome", DecodeFileBeginReply(J("{}"), 3).status()},
      {"begin need not array", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":"all"})"), 3).status()},
      {"begin need out of range", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[3]})"), 3).status()},
      {"begin need negative", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[-1]})"), 3).status()},
      {"begin need too many", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[0,0,0,0]})"), 3).status()},
      {"begin need twice", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[1,1]})"), 3).status()},
      {"files-begin results not array", DecodeFilesBeginReply(J(R"({"results":{}})"), {1}).status()},
      {"files-begin too few", DecodeFilesBeginReply(J(R"({"results":[]})"), {1}).status()},
      {"files-begin need out of range", DecodeFilesBeginReply(J(R"({"results":[{"outcome":"proceed","need":[1]}]})"), {1}).status()},
      {"files-begin error not an error", DecodeFilesBeginReply(J(R"({"results":[{"outcome":null}]})"), {1}).status()},
      {"files-begin error code ok", DecodeFilesBeginReply(J(R"({"results":[{"outcome":null,"error":"ok"}]})"), {1}).status()},
      {"files-commit too many", DecodeFilesCommitReply(J(R"({"results":[{"outcome":"applied"},{"outcome":"applied"}]})"), 1).status()},
      {"files-commit proceed", DecodeFilesCommitReply(J(R"({"results":[{"outcome":"proceed"}]})"), 1).status()},
      {"files-commit not object", DecodeFilesCommitReply(J(R"({"results":[7]})"), 1).status()},
      {"begin basis not base64", DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[],"basis":"!!"})"), 3).status()},
      {"commit proceed", DecodeOutcomeReply(ProtoOp::kFileCommit, J(R"({"outcome":"proceed"})")).status()},
      {"commit needs_content", DecodeOutcomeReply(ProtoOp::kFileCommit, J(R"({"outcome":"needs_content"})")).status()},
      {"recipes failed bad hash", DecodeRecipesReply(J(R"({"stored":0,"failed":["zz"]})"), 1).status()},
      {"recipes failed not array", DecodeRecipesReply(J(R"({"stored":1,"failed":1})"), 1).status()},
      {"recipes miscounted", DecodeRecipesReply(J(R"({"stored":1,"failed":[]})"), 2).status()},
      {"chunks miscounted", DecodeChunksReply(J(R"({"stored":1})"), 2)},
      {"chunks no count", DecodeChunksReply(J(R"({})"), 2)},
      {"reply not an object", DecodeLastEtagReply(ProtoOp::kLastEtag, J("[1,2]")).status()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), Status::Code::kProtocolError) << c.name << ": " << c.status.ToString();
    EXPECT_NE(c.status.message().find("destination's reply to"), std::string::npos) << c.name;
  }
}

TEST(ProtocolTest, WellFormedRepliesDecode) {
  EXPECT_EQ(*DecodeLastEtagReply(ProtoOp::kLastEtag, J(R"({"last_etag":12})")), 12);
  auto states = DecodeStateReply(
      J(R"({"items":[{"exists":false},{"exists":true,"version_vector":{"n":2},"deleted":true,"content_hash":"h","conflict":true}]})"), 2);
  ASSERT_OK(states);
  EXPECT_FALSE((*states)[0].exists);
  EXPECT_TRUE((*states)[1].deleted);
  EXPECT_TRUE((*states)[1].conflict);
  auto docs = DecodeApplyDocsReply(
      J(R"({"results":[{"outcome":"applied"},{"outcome":null,"error":"precondition_failed","message":"locked"}]})"), 2);
  ASSERT_OK(docs);
  EXPECT_EQ((*docs)[0].outcome, ProtoOutcome::kApplied);
  EXPECT_FALSE((*docs)[1].outcome);
  EXPECT_EQ((*docs)[1].error.code(), Status::Code::kPreconditionFailed);
  auto begin = DecodeFileBeginReply(J(R"({"outcome":"proceed","need":[0,2],"basis":""})"), 3);
  ASSERT_OK(begin);
  EXPECT_EQ(begin->need, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(DecodeFileBeginReply(J(R"({"outcome":"up_to_date"})"), 3)->outcome, ProtoOutcome::kUpToDate);
  EXPECT_EQ(*DecodeOutcomeReply(ProtoOp::kRename, J(R"({"outcome":"needs_content"})")),
            ProtoOutcome::kNeedsContent);
  EXPECT_TRUE(DecodeRecipesReply(J(R"({"stored":1,"failed":[]})"), 1)->empty());
  EXPECT_OK(DecodeChunksReply(J(R"({"stored":3})"), 3));
  auto files = DecodeFilesBeginReply(
      J(R"({"results":[{"outcome":"proceed","need":[1],"basis":""},{"outcome":"applied"},{"outcome":null,"error":"precondition_failed","message":"locked"}]})"),
      {2, 0, 1});
  ASSERT_OK(files);
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].reply->need, (std::vector<size_t>{1}));
  EXPECT_EQ((*files)[1].reply->outcome, ProtoOutcome::kApplied);
  EXPECT_FALSE((*files)[2].reply);
  EXPECT_EQ((*files)[2].error.code(), Status::Code::kPreconditionFailed);
  auto commits = DecodeFilesCommitReply(J(R"({"results":[{"outcome":"conflict"}]})"), 1);
  ASSERT_OK(commits);
  EXPECT_EQ((*commits)[0].outcome, ProtoOutcome::kConflict);
}

}  // namespace
}  // namespace syncline
