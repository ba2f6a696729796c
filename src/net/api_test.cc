// The API without sockets: requests in, responses out.
#include "net/api.h"

#include <gtest/gtest.h>

#include "net/status_http.h"
#include "testing/test_util.h"
#include "util/json.h"

namespace syncline {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "", &store_));
    api_ = std::make_unique<Api>(store_.get(), Env::Default(), "secret", "test");
  }
  ApiResponse Call(const std::string& method, const std::string& target, std::string body = "",
                   std::map<std::string, std::string> headers = {{"authorization", "Bearer secret"}}) {
    ApiRequest r{method, target, std::move(headers), std::move(body), "127.0.0.1"};
    return api_->Handle(r);
  }
  std::string ErrorCode(const ApiResponse& r) { return Json::parse(r.body).value("error", ""); }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, HealthNeedsNoKeyEverythingElseDoes) {
  EXPECT_EQ(Call("GET", "/v1/health", "", {}).status, 200);
  EXPECT_EQ(Call("GET", "/v1/db", "", {}).status, 401);
  EXPECT_EQ(Call("GET", "/v1/db", "", {{"authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(Call("GET", "/v1/db").status, 200);
}

TEST_F(ApiTest, DocumentLifecycleAndPreconditions) {
  EXPECT_EQ(Call("PUT", "/v1/db/d").status, 201);
  EXPECT_EQ(Call("PUT", "/v1/db/d").status, 409);
  auto put = Call("PUT", "/v1/db/d/docs/users/alice", R"({"n":1})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Json::parse(put.body), Json::parse(R"({"collection":"users","key":"alice","etag":1})"));
  auto stale = Call("PUT", "/v1/db/d/docs/users/alice", R"({"n":2})",
                    {{"authorization", "Bearer secret"}, {"if-match", "\"7\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(ErrorCode(stale), "precondition_failed");
  auto get = Call("GET", "/v1/db/d/docs/users/alice");
  EXPECT_EQ(get.body, R"({"n":1})");
  EXPECT_EQ(Call("DELETE", "/v1/db/d/docs/users/alice").status, 200);
  EXPECT_EQ(Call("GET", "/v1/db/d/docs/users/alice").status, 404);
}

TEST_F(ApiTest, BadInputIsRefusedWithCodes) {
  ASSERT_EQ(Call("PUT", "/v1/db/d").status, 201);
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/k", "{bad").status, 400);
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/k", "[1]").status, 400);
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/a%2F..%2Fb", "{}").status, 400);
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/a%00b", "{}").status, 400);
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/" + std::string(1025, 'k'), "{}").status, 400);
  std::string deep = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/k", "{\"a\":" + deep + "}").status, 400);
  std::string big = "{\"a\":\"" + std::string(kMaxDocumentBytes, 'x') + "\"}";
  EXPECT_EQ(Call("PUT", "/v1/db/d/docs/c/k", big).status, 413);
  EXPECT_EQ(Call("GET", "/v1/db/nope/docs/c/k").status, 404);
  EXPECT_EQ(Call("GET", "/v1/db/Bad!/docs/c/k").status, 400);
  EXPECT_EQ(Call("GET", "/v1/db/d/changes?limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/v1/db/d/nothing").status, 404);
  // Nothing was written by any of the above.
  EXPECT_EQ(store_->GetDatabase("d")->last_etag, 0);
}

TEST_F(ApiTest, ChangesLongPollIsSignalledWhenEmpty) {
  ASSERT_EQ(Call("PUT", "/v1/db/d").status, 201);
  auto r = Call("GET", "/v1/db/d/changes?since=0&wait=5");
  ASSERT_TRUE(r.long_poll.has_value());
  EXPECT_EQ(r.long_poll->db, "d");
  ASSERT_EQ(Call("PUT", "/v1/db/d/docs/c/k", "{}").status, 200);
  auto now = Call("GET", "/v1/db/d/changes?since=0&wait=5");
  EXPECT_FALSE(now.long_poll.has_value());
  EXPECT_EQ(Json::parse(now.body)["last_etag"], 1);
}

TEST_F(ApiTest, BulkWritesAllDocuments) {
  ASSERT_EQ(Call("PUT", "/v1/db/d").status, 201);
  Json docs = Json::array();
  for (int i = 0; i < 50; ++i) {
    docs.push_back({{"collection", "c"}, {"key", "k" + std::to_string(i)}, {"document", {{"i", i}}}});
  }
  auto r = Call("POST", "/v1/db/d/bulk", Json{{"docs", docs}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body).size(), 50u);
  EXPECT_EQ(store_->GetDatabase("d")->last_etag, 50);
}

std::string HeaderOf(const ApiResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// Issue 8, point 7: a 405 names what is allowed; OPTIONS says the same; HEAD goes wherever GET
// does.
TEST_F(ApiTest, MethodsComeFromTheRouteTable) {
  ASSERT_EQ(Call("PUT", "/v1/db/d").status, 201);
  struct Case {
    const char* method;
    const char* target;
    int status;
    const char* allow;
  };
  const Case cases[] = {
      {"POST", "/v1/db", 405, "GET, HEAD, OPTIONS"},
      {"PATCH", "/v1/db/d", 405, "PUT, GET, HEAD, DELETE, OPTIONS"},
      {"POST", "/v1/db/d/docs/c/k", 405, "GET, HEAD, PUT, DELETE, OPTIONS"},
      {"PUT", "/v1/db/d/files", 405, "GET, HEAD, OPTIONS"},
      {"GET", "/v1/db/d/sync/run", 405, "POST, OPTIONS"},
      {"GET", "/v1/db/d/find/c", 405, "POST, OPTIONS"},
      {"OPTIONS", "/v1/db/d/meta/a.txt", 204, "GET, HEAD, PATCH, OPTIONS"},
      {"HEAD", "/v1/db", 200, ""},
      {"HEAD", "/v1/db/d", 200, ""},
      {"HEAD", "/v1/db/d/changes", 200, ""},
      {"HEAD", "/v1/db/d/conflicts", 200, ""},
      {"HEAD", "/v1/db/d/sync/finished", 503, ""},  // routed; sync is not enabled in this test
      {"GET", "/v1/db/d/nothing", 404, ""},
      {"DELETE", "/v1/db/Bad!", 400, ""},
  };
  for (const Case& c : cases) {
    ApiResponse r = Call(c.method, c.target);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << ": " << r.body;
    EXPECT_EQ(HeaderOf(r, "Allow"), c.allow) << c.method << " " << c.target;
  }
  // Without the key, even a wrong method or path is a 401: nothing about routes leaks.
  EXPECT_EQ(Call("POST", "/v1/db", "", {}).status, 401);
  EXPECT_EQ(Call("GET", "/v1/nothing", "", {}).status, 401);
  EXPECT_EQ(Call("HEAD", "/v1/health", "", {}).status, 200);
}

TEST(StatusHttpTest, RoundTripsEveryCode) {
  for (Status s : {Status::NotFound("x"), Status::InvalidArgument("x"), Status::AlreadyExists("x"),
                   Status::PreconditionFailed("x"), Status::Unauthenticated("x"),
                   Status::TooLarge("x"), Status::Unavailable("x"), Status::Corruption("x")}) {
    Status back = StatusFromHttp(HttpStatusOf(s), ErrorBody(s));
    EXPECT_EQ(back.code(), s.code()) << s.ToString();
    EXPECT_EQ(back.message(), "x");
  }
}

}  // namespace syncline
