// Users, logins and roles through the API, without sockets.
#include <gtest/gtest.h>

#include "net/api.h"
#include "testing/manual_clock.h"
#include "testing/test_util.h"
#include "util/json_reader.h"

namespace syncline {
namespace {

constexpr int64_t kSecond = 1'000'000;

class ApiUsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = testing::EnvWith(Env::Default()->fs, &clock_);
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStoreWithEnv(dir_, &env_, &store_));
    api_ = std::make_unique<Api>(store_.get(), &env_, "secret", "test", 3600);
    ASSERT_EQ(As("secret", "PUT", "/v1/db/notes").status, 201);
    ASSERT_EQ(As("secret", "PUT", "/v1/db/other").status, 201);
  }
  ApiResponse As(const std::string& credential, const std::string& method,
                 const std::string& target, std::string body = "",
                 const std::string& peer = "127.0.0.1") {
    std::map<std::string, std::string> headers;
    if (!credential.empty()) headers["authorization"] = "Bearer " + credential;
    ApiRequest r{method, target, std::move(headers), std::move(body), peer};
    return api_->Handle(r);
  }
  void AddUser(const std::string& name, const std::string& role, const std::string& dbs) {
    ApiResponse r = As("secret", "POST", "/v1/users",
                       R"({"name":")" + name + R"(","password":"password-)" + name +
                           R"(","role":")" + role + R"(","databases":)" + dbs + "}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The token of a login with the right password.
  std::string LogIn(const std::string& name) {
    ApiResponse r = Login(name, "password-" + name);
    EXPECT_EQ(r.status, 200) << r.body;
    Result<Json> j = ParseJsonObject(r.body);
    if (!j.ok()) return "";
    Result<std::string> token = JsonString(*j, "token");
    return token.ok() ? *token : "";
  }
  ApiResponse Login(const std::string& name, const std::string& password,
                    const std::string& peer = "127.0.0.1") {
    return As("", "POST", "/v1/auth/login",
              R"({"username":")" + name + R"(","password":")" + password + R"("})", peer);
  }
  static std::string ErrorCode(const ApiResponse& r) {
    Result<Json> j = ParseJsonObject(r.body);
    if (!j.ok()) return "";
    Result<std::string> code = JsonString(*j, "error");
    return code.ok() ? *code : "";
  }

  testing::ManualClock clock_;
  Env env_;
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiUsersTest, LoginHandsOutATokenThatWorksUntilLogout) {
  AddUser("alice", "write", R"(["notes"])");
  ApiResponse wrong = Login("alice", "not-her-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(ErrorCode(wrong), "unauthorized");
  ApiResponse unknown = Login("nobody", "whatever-at-all");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(ErrorCode(unknown), "unauthorized");
  // Names and passwords no user can have are wrong too, without being remembered.
  EXPECT_EQ(Login(std::string(100000, 'x'), "whatever-at-all").status, 401);
  EXPECT_EQ(Login("alice", std::string(5000, 'p')).status, 401);

  std::string token = LogIn("alice");
  ASSERT_EQ(token.rfind("slt_", 0), 0u) << token;
  EXPECT_EQ(As(token, "PUT", "/v1/db/notes/docs/n/1", R"({"t":"hi"})").status, 200);
  ApiResponse me = As(token, "GET", "/v1/auth/me");
  EXPECT_EQ(me.status, 200);
  EXPECT_NE(me.body.find(R"("user":"alice")"), std::string::npos) << me.body;
  EXPECT_EQ(As(token, "POST", "/v1/auth/logout").status, 200);
  ApiResponse after = As(token, "GET", "/v1/db/notes/docs/n/1");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(ErrorCode(after), "unauthorized");
}

TEST_F(ApiUsersTest, TokensExpire) {
  AddUser("alice", "read", R"(["notes"])");
  std::string token = LogIn("alice");
  EXPECT_EQ(As(token, "GET", "/v1/db/notes").status, 200);
  clock_.Advance(3599 * kSecond);
  EXPECT_EQ(As(token, "GET", "/v1/db/notes").status, 200);
  clock_.Advance(1 * kSecond);
  ApiResponse r = As(token, "GET", "/v1/db/notes");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
}

TEST_F(ApiUsersTest, RolesAreCheckedPerDatabase) {
  AddUser("reader", "read", R"(["notes"])");
  AddUser("writer", "write", R"(["notes"])");
  AddUser("owner", "admin", R"(["notes"])");
  std::string reader = LogIn("reader"), writer = LogIn("writer"), owner = LogIn("owner");
  ASSERT_EQ(As("secret", "PUT", "/v1/db/notes/docs/n/1", "{}").status, 200);

  EXPECT_EQ(As(reader, "GET", "/v1/db/notes/docs/n/1").status, 200);
  EXPECT_EQ(As(reader, "GET", "/v1/db/notes/changes").status, 200);
  ApiResponse push = As(reader, "PUT", "/v1/db/notes/docs/n/2", "{}");
  EXPECT_EQ(push.status, 403);
  EXPECT_EQ(ErrorCode(push), "permission_denied");
  EXPECT_EQ(As(reader, "GET", "/v1/db/other/docs/n/1").status, 403);

  EXPECT_EQ(As(writer, "PUT", "/v1/db/notes/docs/n/2", "{}").status, 200);
  EXPECT_EQ(As(writer, "POST", "/v1/db/notes/gc").status, 403);
  EXPECT_EQ(As(writer, "GET", "/v1/db/notes/destinations").status, 403);
  EXPECT_EQ(As(writer, "POST", "/v1/users", "{}").status, 403);

  EXPECT_EQ(As(owner, "POST", "/v1/db/notes/gc").status, 200);
  EXPECT_EQ(As(owner, "POST", "/v1/db/other/gc").status, 403);
  EXPECT_EQ(As(owner, "GET", "/v1/users").status, 403) << "admin of one database only";

  // Each sees only the databases it may use.
  ApiResponse list = As(reader, "GET", "/v1/db");
  EXPECT_NE(list.body.find("notes"), std::string::npos);
  EXPECT_EQ(list.body.find("other"), std::string::npos) << list.body;
}

TEST_F(ApiUsersTest, AnAdminOfEveryDatabaseManagesUsers) {
  AddUser("root", "admin", "null");  // no databases: every database
  std::string root = LogIn("root");
  EXPECT_EQ(As(root, "GET", "/v1/users").status, 200);
  EXPECT_EQ(As(root, "POST", "/v1/users",
               R"({"name":"bob","password":"long-enough","role":"read"})").status,
            201);
  EXPECT_EQ(As(root, "DELETE", "/v1/users/bob").status, 200);
  EXPECT_EQ(As(root, "DELETE", "/v1/users/bob").status, 404);
}

TEST_F(ApiUsersTest, ANewPasswordEndsTheOldSessions) {
  AddUser("alice", "read", R"(["notes"])");
  std::string token = LogIn("alice");
  ApiResponse r = As("secret", "PATCH", "/v1/users/alice", R"({"password":"a-new-password"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(As(token, "GET", "/v1/db/notes").status, 401);
  EXPECT_EQ(Login("alice", "password-alice").status, 401);
  EXPECT_EQ(Login("alice", "a-new-password").status, 200);
}

TEST_F(ApiUsersTest, RemovingAUserEndsItsSessions) {
  AddUser("alice", "read", R"(["notes"])");
  std::string token = LogIn("alice");
  ASSERT_EQ(As("secret", "DELETE", "/v1/users/alice").status, 200);
  EXPECT_EQ(As(token, "GET", "/v1/db/notes").status, 401);
}

TEST_F(ApiUsersTest, TenWrongPasswordsLockThePairOutForAMinute) {
  AddUser("alice", "read", R"(["notes"])");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Login("alice", "wrong-password", "10.0.0.9").status, 401);
  ApiResponse locked = Login("alice", "password-alice", "10.0.0.9");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(ErrorCode(locked), "rate_limited");
  bool retry_after = false;
  for (const auto& [name, value] : locked.headers) retry_after |= name == "Retry-After" && value == "60";
  EXPECT_TRUE(retry_after);
  // From another address the user may still log in.
  EXPECT_EQ(Login("alice", "password-alice", "10.0.0.8").status, 200);
  clock_.Advance(60 * kSecond);
  EXPECT_EQ(Login("alice", "password-alice", "10.0.0.9").status, 200);
}

TEST_F(ApiUsersTest, BadUserRequestsAreRefusedAndChangeNothing) {
  struct Case {
    const char* name;
    const char* method;
    const char* target;
    const char* body;
    int status;
  };
  const Case cases[] = {
      {"not JSON", "POST", "/v1/users", "{bad", 400},
      {"no password", "POST", "/v1/users", R"({"name":"bob","role":"read"})", 400},
      {"short password", "POST", "/v1/users", R"({"name":"bob","password":"short","role":"read"})", 400},
      {"unknown role", "POST", "/v1/users", R"({"name":"bob","password":"long-enough","role":"root"})", 400},
      {"bad name", "POST", "/v1/users", R"({"name":"-bob","password":"long-enough","role":"read"})", 400},
      {"bad database", "POST", "/v1/users", R"({"name":"bob","password":"long-enough","role":"read","databases":["A/B"]})", 400},
      {"databases not an array", "POST", "/v1/users", R"({"name":"bob","password":"long-enough","role":"read","databases":"notes"})", 400},
      {"role a number", "POST", "/v1/users", R"({"name":"bob","password":"long-enough","role":2})", 400},
      {"patch nothing", "PATCH", "/v1/users/alice", "{}", 400},
      {"patch databases alone", "PATCH", "/v1/users/alice", R"({"databases":["notes"]})", 400},
      {"patch unknown user", "PATCH", "/v1/users/nobody", R"({"password":"long-enough"})", 404},
      {"login without password", "POST", "/v1/auth/login", R"({"username":"alice"})", 400},
      {"login password a number", "POST", "/v1/auth/login", R"({"username":"alice","password":1})", 400},
  };
  AddUser("alice", "read", R"(["notes"])");
  std::string before = As("secret", "GET", "/v1/users").body;
  for (const Case& c : cases) {
    EXPECT_EQ(As("secret", c.method, c.target, c.body).status, c.status) << c.name;
  }
  EXPECT_EQ(As("secret", "GET", "/v1/users").body, before);
}

TEST_F(ApiUsersTest, ClientProtocolOverTheApi) {
  AddUser("reader", "read", R"(["notes"])");
  AddUser("writer", "write", R"(["notes"])");
  std::string reader = LogIn("reader"), writer = LogIn("writer");
  ApiResponse reg = As(writer, "POST", "/v1/db/notes/clients",
                       R"({"platform":{"name":"notes-app","version":"1.2","device":"laptop"}})");
  ASSERT_EQ(reg.status, 201) << reg.body;
  Result<Json> j = ParseJsonObject(reg.body);
  ASSERT_OK(j.status());
  EXPECT_EQ((*j)["protocol"], 1);
  std::string id = (*j)["client_id"];
  std::string base = "/v1/db/notes/clients/" + id;

  ApiResponse push = As(writer, "POST", base + "/push",
                        R"({"operations":[{"op_id":"o1","op":"create","collection":"n",)"
                        R"("key":"k1","document":{"t":"hi"}}]})");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_NE(push.body.find(R"("status":"applied")"), std::string::npos) << push.body;
  ApiResponse pull = As(writer, "POST", base + "/pull", R"({"collection":"n","with_total":true})");
  ASSERT_EQ(pull.status, 200) << pull.body;
  EXPECT_NE(pull.body.find(R"("total_count":1)"), std::string::npos) << pull.body;
  EXPECT_NE(pull.body.find(R"("document":{"t":"hi"})"), std::string::npos) << pull.body;

  // A read-only user may register and pull, not push.
  ApiResponse rreg = As(reader, "POST", "/v1/db/notes/clients", "{}");
  ASSERT_EQ(rreg.status, 201);
  Result<Json> rj = ParseJsonObject(rreg.body);
  ASSERT_OK(rj.status());
  std::string rid = (*rj)["client_id"];
  EXPECT_EQ(As(reader, "POST", "/v1/db/notes/clients/" + rid + "/pull", R"({"collection":"n"})").status, 200);
  EXPECT_EQ(As(reader, "POST", "/v1/db/notes/clients/" + rid + "/push", R"({"operations":[]})").status, 403);
  // Another user's client is not yours.
  EXPECT_EQ(As(reader, "POST", base + "/pull", R"({"collection":"n"})").status, 403);

  // An id the server does not know: 409 unknown-client, whatever the reason.
  ApiResponse unknown = As(writer, "POST", "/v1/db/notes/clients/never-issued/pull", R"({"collection":"n"})");
  EXPECT_EQ(unknown.status, 409);
  EXPECT_EQ(ErrorCode(unknown), "unknown-client");
  ASSERT_EQ(As("secret", "DELETE", base).status, 200);
  EXPECT_EQ(ErrorCode(As(writer, "POST", base + "/pull", R"({"collection":"n"})")), "unknown-client");

  // Bad input: a clear 400 and nothing changed.
  std::string rbase = "/v1/db/notes/clients/" + rid;
  for (const char* bad : {"{bad", R"({"collection":5})", R"({"collection":"_x"})",
                          R"({"collection":"n","cursor":"forged"})", R"({"collection":"n","limit":0})",
                          R"({"collection":"n","filter":{"a":{"$nope":1}}})",
                          R"({"collection":"n","fields":"t"})"}) {
    EXPECT_EQ(As(reader, "POST", rbase + "/pull", bad).status, 400) << bad;
  }
  ApiResponse list = As("secret", "GET", "/v1/db/notes/clients");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(rid), std::string::npos);
  EXPECT_EQ(list.body.find(id), std::string::npos) << "the removed client is gone";
}

}  // namespace
}  // namespace syncline
