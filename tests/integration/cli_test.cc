// Every client verb against a real server, through the CLI with --json.
#include <sys/stat.h>

#include <filesystem>

#include "fixture.h"
#include "util/sha256.h"

namespace syncline::testing {

class CliTest : public NodeTest {};

TEST_F(CliTest, DatabaseVerbs) {
  EXPECT_EQ(CliJson({"db", "create", "photos"}), Json({{"name", "photos"}}));
  EXPECT_EQ(CliError({"db", "create", "photos"})["error"], "already_exists");
  Json ls = CliJson({"db", "ls"});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["name"], "photos");
  CliJson({"db", "rm", "photos"});
  EXPECT_TRUE(CliJson({"db", "ls"}).empty());
  EXPECT_EQ(CliError({"db", "rm", "photos"})["error"], "not_found");
  EXPECT_EQ(CliError({"db", "create", "Bad/Name"})["error"], "invalid_argument");
}

TEST_F(CliTest, DocumentVerbs) {
  CliJson({"db", "create", "app"});
  Json put = CliJson({"doc", "put", "app", "users", "alice", R"({"name":"Alice","age":30})"});
  EXPECT_EQ(put, Json({{"collection", "users"}, {"key", "alice"}, {"etag", 1}}));
  CliJson({"doc", "put", "app", "users", "bob", "-"}, R"({"name":"Bob","age":12})");
  Json got = CliJson({"doc", "get", "app", "users", "alice"});
  EXPECT_EQ(got["etag"], 1);
  EXPECT_EQ(got["document"]["name"], "Alice");

  Json ls = CliJson({"doc", "ls", "app", "users", "--limit", "1"});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["key"], "alice");
  ls = CliJson({"doc", "ls", "app", "users", "--after", "alice"});
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0]["key"], "bob");

  Json found = CliJson({"doc", "find", "app", "users", R"({"age":{"$gte":18}})", "--fields", "name"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["document"], Json({{"name", "Alice"}}));
  found = CliJson({"doc", "find", "app", "users", "{}", "--offset", "1", "--limit", "5"});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["key"], "bob");
  EXPECT_EQ(CliError({"doc", "find", "app", "users", R"({"a":{"$bogus":1}})"})["error"],
            "invalid_argument");

  // A stale --if-match gets 412 and changes nothing.
  EXPECT_EQ(CliError({"doc", "put", "app", "users", "alice", "{}", "--if-match", "99"})["error"],
            "precondition_failed");
  EXPECT_EQ(CliJson({"doc", "get", "app", "users", "alice"})["document"]["age"], 30);
  EXPECT_EQ(CliJson({"doc", "put", "app", "users", "alice", "{}", "--if-match", "1"})["etag"], 3);

  CliJson({"doc", "rm", "app", "users", "bob"});
  EXPECT_EQ(CliError({"doc", "get", "app", "users", "bob"})["error"], "not_found");
}

TEST_F(CliTest, FileVerbs) {
  CliJson({"db", "create", "files"});
  std::string data = RandomBytes(3 << 20, 11);
  std::string local = WriteLocal("in.bin", data);
  Json put = CliJson({"file", "put", "files", "docs/report.bin", local, "--meta", "owner=ann",
                      "--meta", "kind=report"});
  EXPECT_EQ(put["name"], "docs/report.bin");
  EXPECT_EQ(put["size"], data.size());
  EXPECT_EQ(put["content_hash"], HexEncode(Sha256(data)));
  EXPECT_EQ(put["metadata"], Json({{"owner", "ann"}, {"kind", "report"}}));
  int64_t etag = put["etag"];

  std::string out = dir_.Sub("out.bin");
  Json got = CliJson({"file", "get", "files", "docs/report.bin", out});
  EXPECT_EQ(ReadLocal(out), data);
  EXPECT_EQ(got["content_hash"], put["content_hash"]);
  CliResult to_stdout = Cli({"file", "get", "files", "docs/report.bin", "-"});
  EXPECT_EQ(to_stdout.exit_code, 0);
  EXPECT_EQ(to_stdout.out, data);  // nothing but the content when stderr is not a terminal
  EXPECT_EQ(to_stdout.err, "");

  Json meta = CliJson({"file", "meta", "files", "docs/report.bin", "--set", "owner=bo", "--unset", "kind"});
  EXPECT_EQ(meta["metadata"], Json({{"owner", "bo"}}));
  EXPECT_GT(meta["etag"].get<int64_t>(), etag);
  EXPECT_EQ(CliJson({"file", "meta", "files", "docs/report.bin"})["metadata"], Json({{"owner", "bo"}}));

  CliJson({"file", "put", "files", "stdin.txt", "-"}, "hello");
  Json ls = CliJson({"file", "ls", "files"});
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(CliJson({"file", "ls", "files", "--prefix", "docs/"}).size(), 1u);
  EXPECT_EQ(CliJson({"file", "ls", "files", "--limit", "1"}).size(), 1u);

  Json renamed = CliJson({"file", "rename", "files", "stdin.txt", "hello.txt"});
  EXPECT_EQ(renamed["name"], "hello.txt");
  EXPECT_EQ(CliError({"file", "get", "files", "stdin.txt", dir_.Sub("x")})["error"], "not_found");
  EXPECT_FALSE(std::ifstream(dir_.Sub("x")).good());  // no half file left behind
  EXPECT_EQ(Cli({"file", "get", "files", "hello.txt", "-"}).out, "hello");

  CliJson({"file", "rm", "files", "hello.txt"});
  EXPECT_EQ(CliJson({"file", "ls", "files"}).size(), 1u);
  EXPECT_EQ(CliError({"file", "put", "files", "a/../b", local})["error"], "invalid_argument");
  EXPECT_EQ(CliError({"file", "put", "files", "x", local, "--if-match", "1"})["error"],
            "precondition_failed");
}

TEST_F(CliTest, ChangesListEachItemOnceInEtagOrder) {
  CliJson({"db", "create", "d"});
  CliJson({"doc", "put", "d", "c", "a", "{}"});
  CliJson({"file", "put", "d", "f.txt", "-"}, "x");
  CliJson({"doc", "put", "d", "c", "a", R"({"v":2})"});
  CliJson({"file", "rm", "d", "f.txt"});
  Json page = CliJson({"changes", "d"});
  ASSERT_EQ(page["changes"].size(), 2u);
  EXPECT_EQ(page["changes"][0], Json({{"etag", 3}, {"kind", "document"}, {"collection", "c"},
                                      {"key", "a"}, {"deleted", false}}));
  EXPECT_EQ(page["changes"][1],
            Json({{"etag", 4}, {"kind", "file"}, {"name", "f.txt"}, {"deleted", true}}));
  EXPECT_EQ(page["last_etag"], 4);
  Json later = CliJson({"changes", "d", "--since", "3", "--limit", "10"});
  ASSERT_EQ(later["changes"].size(), 1u);
  EXPECT_EQ(later["changes"][0]["etag"], 4);
}

TEST_F(CliTest, WrongOrMissingKeyIsRefused) {
  CliResult r = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", node_->url(), "--api-key",
                                             "wrong", "--json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(Json::parse(r.err)["error"], "unauthorized");
  r = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", node_->url(), "--api-key", ""});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("API key"), std::string::npos) << r.err;
}

TEST_F(CliTest, UnreachableServerIsAClearError) {
  CliResult r = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", "http://127.0.0.1:1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unavailable"), std::string::npos) << r.err;
}

TEST_F(CliTest, DataPersistsAcrossRestart) {
  CliJson({"db", "create", "p"});
  CliJson({"doc", "put", "p", "c", "k", R"({"x":1})"});
  CliJson({"file", "put", "p", "f", "-"}, "content");
  std::string url = node_->url();
  EXPECT_EQ(node_->Stop(), 0);  // SIGTERM: a clean exit
  node_->Start();
  EXPECT_EQ(CliJson({"doc", "get", "p", "c", "k"})["document"], Json({{"x", 1}}));
  EXPECT_EQ(Cli({"file", "get", "p", "f", "-"}).out, "content");
  EXPECT_EQ(CliJson({"changes", "p"})["last_etag"], 2);
}

TEST_F(CliTest, AdminKeyFileIsPrivateAndStable) {
  struct stat st;
  ASSERT_EQ(::stat((node_->data_dir() + "/admin.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string key = node_->api_key();
  EXPECT_NE(node_->log().find(key), std::string::npos);  // printed on first start
  node_->Stop();
  node_->Start();
  EXPECT_EQ(node_->api_key(), key);
  EXPECT_EQ(node_->log().find(key), std::string::npos);  // and only then
}

// Issue 7, point 9: ./data/admin.key goes only to the node that wrote it.
TEST_F(CliTest, TheLocalAdminKeyGoesOnlyToItsOwnNode) {
  std::filesystem::create_directories(dir_.Sub("home"));
  ServerProcess local(SYNCLINE_BINARY, dir_.Sub("home/data"));
  local.Start();
  std::string home = dir_.Sub("home");
  CliResult own = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", local.url(), "--json"}, "", home);
  EXPECT_EQ(own.exit_code, 0) << own.err;
  // Another server: no key is sent at all (its refusal says "missing", not "wrong").
  CliResult other = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", node_->url(), "--json"}, "", home);
  EXPECT_NE(other.exit_code, 0);
  Json err = Json::parse(other.err, nullptr, false);
  EXPECT_EQ(err["error"], "unauthorized") << other.err;
  EXPECT_NE(err["message"].get<std::string>().find("missing"), std::string::npos) << other.err;
}

TEST_F(CliTest, AFailedFirstStartLeavesNoAdminKeyBehind) {
  std::string data = dir_.Sub("busy");
  std::string taken = node_->url().substr(std::string("http://").size());
  CliResult r = RunProcess(SYNCLINE_BINARY, {"serve", "--data", data, "--listen", taken});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("listen"), std::string::npos) << r.err;
  struct stat st;
  EXPECT_NE(::stat((data + "/admin.key").c_str(), &st), 0) << "a key that was never shown";
}

TEST_F(CliTest, CollectionRulesRefuseWritesWith422AndVersionsCount) {
  CliJson({"db", "create", "app"});
  EXPECT_EQ(CliJson({"rules", "get", "app", "notes"})["schema_version"], 0);
  Json set = CliJson({"rules", "set", "app", "notes",
                      R"({"validate":{"title":{"$type":"string","$regex":"^[A-Z]"}},)"
                      R"("immutable":["owner"],"allow_delete":false})"});
  EXPECT_EQ(set["schema_version"], 1);
  EXPECT_EQ(set["rules"]["immutable"], Json::parse(R"(["owner"])"));
  CliJson({"doc", "put", "app", "notes", "n1", R"({"title":"Hello","owner":"ann"})"});

  // Through the ordinary document API: 422, the failing condition named, nothing changed.
  HttpClient c = node_->Client();
  auto bad = c.Send("PUT", "/v1/db/app/docs/notes/n2", R"({"title":"lower case"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kValidationFailed);
  EXPECT_NE(bad.status().message().find("$regex"), std::string::npos) << bad.status().message();
  Json err = CliError({"doc", "put", "app", "notes", "n1", R"({"title":"Hello","owner":"bob"})"});
  EXPECT_EQ(err["error"], "validation_failed");
  EXPECT_EQ(CliError({"doc", "rm", "app", "notes", "n1"})["error"], "validation_failed");
  EXPECT_EQ(CliJson({"doc", "get", "app", "notes", "n1"})["document"]["owner"], "ann");
  EXPECT_EQ(CliError({"doc", "get", "app", "notes", "n2"})["error"], "not_found");

  EXPECT_EQ(CliError({"rules", "set", "app", "notes", R"({"validate":{"a":{"$nope":1}}})"})["error"],
            "invalid_argument");
  EXPECT_EQ(CliJson({"rules", "get", "app", "notes"})["schema_version"], 1) << "a refused set changes nothing";
  Json removed = CliJson({"rules", "rm", "app", "notes"});
  EXPECT_EQ(removed["schema_version"], 2);
  EXPECT_TRUE(removed["rules"].is_null());
  CliJson({"doc", "rm", "app", "notes", "n1"});
}

}  // namespace syncline::testing
