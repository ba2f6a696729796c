// Users, logins and roles against a real server, through the CLI.
#include "fixture.h"

namespace syncline::testing {

class AuthTest : public NodeTest {
 protected:
  // Runs `syncline ARGS --json` with `credential` as the API key; parses stdout, or stderr on
  // failure.
  Json As(const std::string& credential, std::vector<std::string> args, int* exit_code = nullptr,
          const std::string& input = "") {
    args.insert(args.end(), {"--server", node_->url(), "--api-key", credential, "--json"});
    CliResult r = RunProcess(SYNCLINE_BINARY, args, input);
    if (exit_code) *exit_code = r.exit_code;
    Json j = Json::parse(r.exit_code == 0 ? r.out : r.err, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  std::string Login(const std::string& user, const std::string& password) {
    int code = 0;
    Json j = As("", {"login", "--user", user, "--password-stdin"}, &code, password + "\n");
    EXPECT_EQ(code, 0) << j.dump();
    return j.contains("token") && j["token"].is_string() ? std::string(j["token"]) : "";
  }
};

TEST_F(AuthTest, UsersLogInAndAreHeldToTheirRoles) {
  CliJson({"db", "create", "notes"});
  CliJson({"doc", "put", "notes", "n", "1", R"({"t":"first"})"});
  Json added = CliJson({"user", "add", "reader", "--role", "read", "--db", "notes",
                        "--password-stdin"},
                       "reader-password\n");
  EXPECT_EQ(added["grants"], Json::parse(R"([{"db":"notes","role":"read"}])"));
  CliJson({"user", "add", "writer", "--role", "write", "--db", "notes", "--password-stdin"},
          "writer-password\n");
  Json users = CliJson({"user", "ls"});
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0]["name"], "reader");
  EXPECT_FALSE(users[0].contains("password_hash"));

  int code = 0;
  Json wrong = As("", {"login", "--user", "reader", "--password-stdin"}, &code, "nope-nope\n");
  EXPECT_NE(code, 0);
  EXPECT_EQ(wrong["error"], "unauthorized");

  std::string reader = Login("reader", "reader-password");
  std::string writer = Login("writer", "writer-password");
  EXPECT_EQ(As(reader, {"doc", "get", "notes", "n", "1"})["document"]["t"], "first");
  Json refused = As(reader, {"doc", "put", "notes", "n", "2", "{}"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(refused["error"], "permission_denied");
  EXPECT_EQ(As(writer, {"doc", "put", "notes", "n", "2", "{}"}, &code)["etag"], 2);
  EXPECT_EQ(As(writer, {"user", "ls"}, &code)["error"], "permission_denied");

  // A new password ends the sessions of the old one; logout ends one session.
  CliJson({"user", "passwd", "reader", "--password-stdin"}, "another-password\n");
  EXPECT_EQ(As(reader, {"doc", "get", "notes", "n", "1"}, &code)["error"], "unauthorized");
  As(writer, {"logout"}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(As(writer, {"doc", "get", "notes", "n", "1"}, &code)["error"], "unauthorized");

  CliJson({"user", "rm", "writer"});
  EXPECT_EQ(CliError({"user", "rm", "writer"})["error"], "not_found");
}

TEST_F(AuthTest, APasswordIsNeverTakenFromANonTerminalWithoutTheFlag) {
  Json err = CliError({"user", "add", "bob", "--role", "read"}, "typed-password\n");
  EXPECT_EQ(err["error"], "invalid_argument");
  EXPECT_NE(err.dump().find("--password-stdin"), std::string::npos);
  EXPECT_TRUE(CliJson({"user", "ls"}).empty());
}

TEST_F(AuthTest, ClientsAreListedAndRemoved) {
  CliJson({"db", "create", "notes"});
  HttpClient c = node_->Client();
  auto reg = c.Send("POST", "/v1/db/notes/clients", R"({"platform":{"name":"app","version":"2"}})");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  std::string id = Json::parse(reg->body)["client_id"];
  ASSERT_TRUE(c.Send("POST", "/v1/db/notes/clients/" + id + "/pull", R"({"collection":"n"})").ok());
  Json ls = CliJson({"clients", "ls", "notes"});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["client_id"], id);
  EXPECT_EQ(ls[0]["platform"]["name"], "app");
  EXPECT_EQ(ls[0]["collections"][0]["collection"], "n");
  CliJson({"clients", "rm", "notes", id});
  EXPECT_TRUE(CliJson({"clients", "ls", "notes"}).empty());
  auto gone = c.Send("POST", "/v1/db/notes/clients/" + id + "/pull", R"({"collection":"n"})");
  EXPECT_EQ(gone.status().code(), Status::Code::kUnknownClient);
  EXPECT_EQ(CliError({"clients", "rm", "notes", id})["error"], "not_found");
}

}  // namespace syncline::testing
