// The client's decoding of server answers: a malformed answer is ProtocolError, never a throw
// or a half-read page.
#include "client/protocol_codec.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

TEST(ProtocolCodecTest, MalformedPagesAreProtocolErrors) {
  const char* bad[] = {
      R"({})",
      R"({"changes": {}, "cursor": "c", "more": false})",
      R"({"changes": [], "cursor": 5, "more": false})",
      R"({"changes": [], "cursor": "c"})",
      R"({"changes": [{"key": "k", "etag": 1, "op": "put"}], "cursor": "c", "more": false})",
      R"({"changes": [{"key": "k", "etag": 1, "op": "put", "document": [1]}], "cursor": "c", "more": false})",
      R"({"changes": [{"key": "k", "etag": "1", "op": "delete"}], "cursor": "c", "more": false})",
      R"({"changes": [{"key": 1, "etag": 1, "op": "delete"}], "cursor": "c", "more": false})",
      R"({"changes": [{"key": "k", "etag": 1, "op": "explode"}], "cursor": "c", "more": false})",
      R"([1, 2])",
  };
  for (const char* b : bad) {
    Result<PullPage> p = DecodePullPage(Json::parse(b));
    ASSERT_FALSE(p.ok()) << b;
    EXPECT_EQ(p.status().code(), Status::Code::kProtocolError) << b;
  }
  Result<PullPage> good = DecodePullPage(Json::parse(
      R"({"changes": [{"key": "k", "etag": 3, "op": "put", "document": {"a": 1}},
                      {"key": "g", "etag": 4, "op": "gone"}],
          "cursor": "c2", "more": true, "total_count": 9, "schema_version": 2})"));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->changes.size(), 2u);
  EXPECT_EQ(good->changes[1].op, ServerChange::Op::kGone);
  EXPECT_EQ(good->total_count, 9);
  EXPECT_TRUE(good->more);
}

TEST(ProtocolCodecTest, PushResultsMustMatchTheOperations) {
  std::vector<PushOperation> ops(2);
  ops[0].op_id = "a";
  ops[1].op_id = "b";
  const char* bad[] = {
      R"({"results": [{"op_id": "a", "status": "applied", "etag": 1}]})",  // one short
      R"({"results": [{"op_id": "b", "status": "applied", "etag": 1},
                      {"op_id": "a", "status": "applied", "etag": 2}]})",  // out of order
      R"({"results": [{"op_id": "a", "status": "applied"},
                      {"op_id": "b", "status": "applied", "etag": 2}]})",  // no etag
      R"({"results": [{"op_id": "a", "status": "conflict", "server_deleted": false},
                      {"op_id": "b", "status": "applied", "etag": 2}]})",  // no document
      R"({"results": [{"op_id": "a", "status": "maybe"},
                      {"op_id": "b", "status": "applied", "etag": 2}]})",
      R"({"results": "all good"})",
  };
  for (const char* b : bad) {
    auto r = DecodePushResults(Json::parse(b), ops);
    ASSERT_FALSE(r.ok()) << b;
    EXPECT_EQ(r.status().code(), Status::Code::kProtocolError) << b;
  }
  auto r = DecodePushResults(
      Json::parse(R"({"results": [
          {"op_id": "a", "status": "conflict", "server_etag": 7, "server_deleted": true},
          {"op_id": "b", "status": "error", "error": "update-error", "code": "validation_failed",
           "message": "no", "attributes": {"t": 1}, "server_etag": 3}]})"),
      ops);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].kind, PushResult::Kind::kConflict);
  EXPECT_TRUE((*r)[0].server_deleted);
  EXPECT_EQ((*r)[1].error, "update-error");
  EXPECT_EQ(*(*r)[1].server_document, Json({{"t", 1}}));
}

}  // namespace
}  // namespace syncline
