// Issue 8: the CLI and the HTTP API as a newcomer meets them. One regression test per defect
// found on the README tour and around it, through the real binary and a real server.
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "fixture.h"
#include "raw_http.h"

namespace syncline::testing {

class NewcomerTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    CliJson({"db", "create", "photos"});
  }
  RawResponse Post(const std::string& target, const std::string& body) {
    return RawExchange(node_->url(), "POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                                         "Authorization: Bearer " + node_->api_key() + "\r\n" +
                                         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
};

// Point 1: every field of a find body is optional.
TEST_F(NewcomerTest, FindTakesAnyOfItsFieldsAlone) {
  for (int i = 1; i <= 3; ++i) {
    CliJson({"doc", "put", "photos", "c", "k" + std::to_string(i), "{\"b\":" + std::to_string(i) + "}"});
  }
  struct Case {
    const char* body;
    size_t found;
  };
  const Case cases[] = {{R"({"filter":{"b":{"$gt":1}}})", 2}, {"{}", 3}, {R"({"limit":1})", 1},
                        {R"({"offset":2})", 1}, {R"({"fields":["b"]})", 3}};
  for (const Case& c : cases) {
    RawResponse r = Post("/v1/db/photos/find/c", c.body);
    EXPECT_EQ(r.status, 200) << c.body << ": " << r.body;
    EXPECT_EQ(Json::parse(r.body, nullptr, false).size(), c.found) << c.body;
  }
  EXPECT_EQ(Post("/v1/db/photos/find/c", R"({"limit":-1})").status, 400);
}

// Point 2: rename takes --if-match, as the README says.
TEST_F(NewcomerTest, RenameTakesIfMatch) {
  int64_t etag = CliJson({"file", "put", "photos", "a.txt", "-"}, "hello")["etag"];
  Json stale = CliError({"file", "rename", "photos", "a.txt", "b.txt", "--if-match", std::to_string(etag + 7)});
  EXPECT_EQ(stale["error"], "precondition_failed");
  EXPECT_NE(stale["message"].get<std::string>().find("current etag is " + std::to_string(etag)),
            std::string::npos) << stale;
  Json renamed = CliJson({"file", "rename", "photos", "a.txt", "b.txt", "--if-match", std::to_string(etag)});
  EXPECT_EQ(renamed["name"], "b.txt");
}

// Point 3: a verb whose item failed exits non-zero, with the documented codes.
TEST_F(NewcomerTest, ExitCodesAreTheDocumentedOnes) {
  ServerProcess other(SYNCLINE_BINARY, dir_.Sub("other"));
  other.Start();
  ASSERT_EQ(RunProcess(SYNCLINE_BINARY, {"db", "create", "photos", "--server", other.url(), "--api-key",
                                         other.api_key()}).exit_code, 0);
  // The same document written on both nodes, independently: pushing it is a conflict.
  CliJson({"doc", "put", "photos", "albums", "summer", R"({"v":"here"})"});
  ASSERT_EQ(RunProcess(SYNCLINE_BINARY, {"doc", "put", "photos", "albums", "summer", R"({"v":"there"})",
                                         "--server", other.url(), "--api-key", other.api_key()}).exit_code, 0);
  std::vector<std::string> start = {"sync", "start", "photos", "summer", "--collection", "albums",
                                    "--to", other.url(), "--to-key", other.api_key()};
  CliResult conflict = Cli(start);
  EXPECT_EQ(conflict.exit_code, 1) << conflict.out << conflict.err;
  EXPECT_NE(conflict.err.find("(conflicted)"), std::string::npos) << conflict.err;
  start.push_back("--json");
  CliResult conflict_json = Cli(start);
  EXPECT_EQ(conflict_json.exit_code, 1);
  EXPECT_EQ(Json::parse(conflict_json.out, nullptr, false)["error_code"], "conflicted") << conflict_json.out;
  EXPECT_EQ(Json::parse(conflict_json.err, nullptr, false)["error"], "conflicted") << conflict_json.err;

  CliResult no_db = Cli({"sync", "start", "photos", "summer", "--collection", "albums", "--to", other.url(),
                         "--to-key", other.api_key(), "--to-db", "nosuchdb"});
  EXPECT_EQ(no_db.exit_code, 1) << no_db.out << no_db.err;

  EXPECT_EQ(Cli({"doc", "get", "photos", "albums", "nope"}).exit_code, 1);
  CliResult unreachable = RunProcess(SYNCLINE_BINARY, {"db", "ls", "--server", "http://127.0.0.1:1"});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.err;
  EXPECT_EQ(Cli({"db", "ls", "--bogus"}).exit_code, 2);
}

// Point 4: a wrong word is named, with the nearest verb; usage errors keep the documented form
// and --json.
TEST_F(NewcomerTest, UsageErrorsNameTheWrongWord) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{"fiel", "ls", "photos"}, "unknown command 'fiel' for 'syncline'; did you mean 'file'?"},
      {{"file", "lss", "photos"}, "unknown command 'lss' for 'syncline file'; did you mean 'ls'?"},
      {{"--server", "http://127.0.0.1:1", "synk", "run"}, "did you mean 'sync'?"},
      {{"file"}, "'syncline file' needs a command: put, get, meta, rename, rm, ls"},
      {{"xyz"}, "the commands are serve, db"},
  };
  for (const Case& c : cases) {
    CliResult r = RunProcess(SYNCLINE_BINARY, c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("syncline: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(invalid_argument)"), std::string::npos) << r.err;
  }
  CliResult help = RunProcess(SYNCLINE_BINARY, {"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: syncline"), std::string::npos) << help.out;
  CliResult help_file = RunProcess(SYNCLINE_BINARY, {"help", "file", "put"});
  EXPECT_EQ(help_file.exit_code, 0);
  EXPECT_NE(help_file.out.find("LOCAL_PATH"), std::string::npos) << help_file.out;

  CliResult bad_value = RunProcess(SYNCLINE_BINARY, {"--json", "changes", "photos", "--since", "abc"});
  EXPECT_EQ(bad_value.exit_code, 2);
  Json err = Json::parse(bad_value.err, nullptr, false);
  EXPECT_EQ(err["error"], "invalid_argument") << bad_value.err;
  EXPECT_NE(err["message"].get<std::string>().find("--since"), std::string::npos) << bad_value.err;
}

// Point 6: reading stdin takes an explicit '-', and says so at a terminal.
TEST_F(NewcomerTest, UploadFromStdinIsExplicit) {
  CliResult missing = Cli({"file", "put", "photos", "forgot.txt"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("LOCAL_PATH"), std::string::npos) << missing.err;
  EXPECT_EQ(CliError({"file", "meta", "photos", "forgot.txt"})["error"], "not_found");  // nothing stored

  // At a terminal, '-' says where it reads and how to end; an immediate Ctrl-D stores 0 bytes
  // and the bar says 0 B (not the chunked encoding's 5 framing bytes).
  CliResult typed = CliInTerminal({"file", "put", "photos", "empty.txt", "-"}, "\x04");
  EXPECT_EQ(typed.exit_code, 0) << typed.out;
  EXPECT_NE(typed.out.find("end it with Ctrl-D"), std::string::npos) << typed.out;
  EXPECT_EQ(typed.out.find("5 B"), std::string::npos) << typed.out;
  EXPECT_EQ(CliJson({"file", "meta", "photos", "empty.txt"})["size"], 0);
}

// Point 8: an upload's error starts a line of its own, after the progress bar's.
TEST_F(NewcomerTest, AnUploadErrorEndsTheProgressLineFirst) {
  std::string local = WriteLocal("big.bin", RandomBytes(4 << 20, 3));
  CliJson({"file", "put", "photos", "big.bin", local});
  CliResult r = CliInTerminal({"file", "put", "photos", "big.bin", local, "--if-match", "99"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  size_t error = r.out.find("syncline: ");
  ASSERT_NE(error, std::string::npos) << r.out;
  EXPECT_TRUE(error == 0 || r.out[error - 1] == '\n') << r.out;
}

// Point 9: a folder as LOCAL_PATH means "into it, under the file's base name"; a folder that
// does not exist fails before anything is downloaded.
TEST_F(NewcomerTest, DownloadIntoAFolder) {
  CliJson({"file", "put", "photos", "holiday/beach.jpg", "-"}, "sand");
  std::filesystem::create_directories(dir_.Sub("out"));
  Json got = CliJson({"file", "get", "photos", "holiday/beach.jpg", dir_.Sub("out")});
  EXPECT_EQ(got["path"], dir_.Sub("out") + "/beach.jpg");
  EXPECT_EQ(ReadLocal(dir_.Sub("out/beach.jpg")), "sand");
  EXPECT_EQ(CliError({"file", "get", "photos", "holiday/beach.jpg", dir_.Sub("none") + "/"})["error"],
            "not_found");
  EXPECT_EQ(CliError({"file", "get", "photos", "holiday/beach.jpg", dir_.Sub("none/x.jpg")})["error"],
            "not_found");
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("none")));
}

// Point 10: a FIFO (or any non-regular file) streams, size unknown.
TEST_F(NewcomerTest, UploadFromAFifoStreams) {
  std::string fifo = dir_.Sub("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string data = RandomBytes(300000, 9);
  std::thread writer([&] {
    FILE* f = std::fopen(fifo.c_str(), "wb");  // blocks until the CLI opens it to read
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
  });
  Json put = CliJson({"file", "put", "photos", "from-fifo.bin", fifo});
  writer.join();
  EXPECT_EQ(put["size"], data.size());
  EXPECT_EQ(Cli({"file", "get", "photos", "from-fifo.bin", "-"}).out, data);
  EXPECT_EQ(CliError({"file", "put", "photos", "x", dir_.path()})["error"], "invalid_argument");
}

// Point 12: `db rm` asks at a terminal; --yes skips the question.
TEST_F(NewcomerTest, RemovingADatabaseAsksFirst) {
  CliResult no = CliInTerminal({"db", "rm", "photos"}, "n\n");
  EXPECT_NE(no.exit_code, 0);
  EXPECT_NE(no.out.find("[y/N]"), std::string::npos) << no.out;
  EXPECT_EQ(CliJson({"db", "ls"}).size(), 1u);
  CliResult yes = CliInTerminal({"db", "rm", "photos"}, "y\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.out;
  EXPECT_TRUE(CliJson({"db", "ls"}).empty());
  CliJson({"db", "create", "photos"});
  CliResult skip = CliInTerminal({"db", "rm", "photos", "--yes"});
  EXPECT_EQ(skip.exit_code, 0) << skip.out;
  EXPECT_EQ(skip.out.find("[y/N]"), std::string::npos) << skip.out;
  EXPECT_TRUE(CliJson({"db", "ls"}).empty());
}

// Point 12: `file ls` pages with --after and says when --limit cut the list.
TEST_F(NewcomerTest, FileListingPages) {
  for (const char* n : {"a", "b", "c"}) CliJson({"file", "put", "photos", n, "-"}, n);
  CliResult first = Cli({"file", "ls", "photos", "--limit", "2"});
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.err.find("--after 'b'"), std::string::npos) << first.err;
  Json rest = CliJson({"file", "ls", "photos", "--after", "b"});
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]["name"], "c");
  CliResult all = Cli({"file", "ls", "photos", "--limit", "3"});
  EXPECT_EQ(all.err, "");  // nothing more: no hint
}

}  // namespace syncline::testing
