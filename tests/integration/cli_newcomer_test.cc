// Issue 8: the CLI and the HTTP API as a newcomer meets them. One regression test per defect
// found on the README tour and around it, through the real binary and a real server.
#include <sys/stat.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "fixture.h"
#include "cli/display.h"
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

// A conflict on `other`'s albums/summer: written there and here, then pushed from here.
class ConflictedNewcomerTest : public NewcomerTest {
 protected:
  void SetUp() override {
    NewcomerTest::SetUp();
    other_ = std::make_unique<ServerProcess>(SYNCLINE_BINARY, dir_.Sub("other"));
    other_->Start();
    ASSERT_EQ(OnOther({"db", "create", "photos"}).exit_code, 0);
    CliJson({"doc", "put", "photos", "albums", "summer", R"({"v":"here"})"});
    ASSERT_EQ(OnOther({"doc", "put", "photos", "albums", "summer", R"({"v":"there"})"}).exit_code, 0);
    CliResult pushed = Cli({"sync", "start", "photos", "summer", "--collection", "albums", "--to",
                            other_->url(), "--to-key", other_->api_key()});
    ASSERT_EQ(pushed.exit_code, 1) << pushed.err;  // settled as a conflict there
  }
  CliResult OnOther(std::vector<std::string> args) {
    args.insert(args.end(), {"--server", other_->url(), "--api-key", other_->api_key()});
    return RunProcess(SYNCLINE_BINARY, args);
  }
  std::unique_ptr<ServerProcess> other_;
};

// Point 5: what `conflicts ls` prints is accepted back by the verbs that take a name; node ids
// are short in the table and whole in --json.
TEST_F(ConflictedNewcomerTest, ListedNamesWorkAsNames) {
  CliResult ls = OnOther({"conflicts", "ls", "photos"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("albums/summer"), std::string::npos) << ls.out;
  Json full = Json::parse(OnOther({"conflicts", "ls", "photos", "--json"}).out);
  ASSERT_EQ(full.size(), 1u);
  std::string node_id = full[0]["remote_version"].begin().key();
  EXPECT_EQ(node_id.size(), 36u);
  EXPECT_EQ(ls.out.find(node_id), std::string::npos) << "whole node ids in the table: " << ls.out;
  EXPECT_NE(ls.out.find(node_id.substr(0, 8) + ":"), std::string::npos) << ls.out;
  EXPECT_LT(ls.out.find('\n', ls.out.find("albums/summer")) - ls.out.rfind('\n', ls.out.find("albums/summer")),
            120u) << "a row fits a terminal: " << ls.out;
  for (const char* field : {"created_at", "remote_node", "kind"}) {
    EXPECT_TRUE(full[0].contains(field)) << "--json carries what the API does: " << field;
  }

  CliResult show = OnOther({"conflicts", "show", "photos", "albums/summer"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("albums/summer"), std::string::npos) << show.out;
  CliResult status = OnOther({"sync", "status", "photos", "albums/summer"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  CliResult resolved = OnOther({"conflicts", "resolve", "photos", "albums/summer", "--keep", "current"});
  EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(Json::parse(OnOther({"conflicts", "ls", "photos", "--json"}).out).size(), 0u);
  // A file's name with a '/' is still a file's: nothing of it is conflicted.
  CliResult none = OnOther({"conflicts", "show", "photos", "albums/summer"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("albums/summer"), std::string::npos) << none.err;
}

// Point 12: after the resolve, `sync finished` says the conflict was resolved since.
TEST_F(ConflictedNewcomerTest, FinishedReportsSayAConflictWasResolved) {
  CliResult before = OnOther({"sync", "finished", "photos"});
  EXPECT_NE(before.out.find("conflicted"), std::string::npos) << before.out;
  EXPECT_EQ(before.out.find("resolved since"), std::string::npos) << before.out;
  Json page = Json::parse(OnOther({"sync", "finished", "photos", "--json"}).out);
  EXPECT_EQ(page["items"][0]["conflict_open"], true) << page;
  EXPECT_EQ(page["items"][0]["kind"], "document") << "--json carries the API's fields";
  ASSERT_EQ(OnOther({"conflicts", "resolve", "photos", "albums/summer", "--keep", "remote"}).exit_code, 0);
  CliResult after = OnOther({"sync", "finished", "photos"});
  EXPECT_NE(after.out.find("(resolved since)"), std::string::npos) << after.out;
  page = Json::parse(OnOther({"sync", "finished", "photos", "--json"}).out);
  EXPECT_EQ(page["items"][0]["conflict_open"], false) << page;
}

// Point 12: documents keep their key order, as the API does.
TEST_F(NewcomerTest, DocumentsKeepTheirKeyOrder) {
  CliJson({"doc", "put", "photos", "c", "k", R"({"zebra":1,"apple":{"y":2,"b":3}})"});
  CliResult got = Cli({"doc", "get", "photos", "c", "k"});
  EXPECT_LT(got.out.find("zebra"), got.out.find("apple")) << got.out;
  EXPECT_LT(got.out.find("\"y\""), got.out.find("\"b\"")) << got.out;
  CliResult json = Cli({"doc", "get", "photos", "c", "k", "--json"});
  EXPECT_LT(json.out.find("zebra"), json.out.find("apple")) << json.out;
  for (std::vector<std::string> args : {std::vector<std::string>{"doc", "ls", "photos", "c"},
                                        std::vector<std::string>{"doc", "find", "photos", "c", "{}"}}) {
    for (bool as_json : {false, true}) {
      if (as_json) args.push_back("--json");
      CliResult r = Cli(args);
      EXPECT_LT(r.out.find("zebra"), r.out.find("apple")) << args[1] << ": " << r.out;
    }
  }
  RawResponse list = RawExchange(node_->url(), "GET /v1/db/photos/docs/c HTTP/1.1\r\nHost: x\r\n"
                                                "Connection: close\r\nAuthorization: Bearer " +
                                                    node_->api_key() + "\r\n\r\n");
  EXPECT_LT(list.body.find("zebra"), list.body.find("apple")) << list.body;
}

// Point 12: tables pad by display width, so wide and accented names line up.
TEST_F(NewcomerTest, TablesLineUpWithNonAsciiNames) {
  for (const char* n : {"写真.jpg", "été.txt", "a"}) CliJson({"file", "put", "photos", n, "-"}, "x");
  CliResult ls = Cli({"file", "ls", "photos"});
  std::vector<size_t> size_columns;
  std::istringstream lines(ls.out);
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("1 B");
    if (at == std::string::npos) continue;
    size_columns.push_back(DisplayWidth(std::string_view(line).substr(0, at)));
  }
  ASSERT_EQ(size_columns.size(), 3u) << ls.out;
  EXPECT_EQ(size_columns[0], size_columns[1]) << ls.out;
  EXPECT_EQ(size_columns[1], size_columns[2]) << ls.out;
}

// Point 12: the CLI's --json carries what the API's answer does.
TEST_F(NewcomerTest, JsonCarriesEveryFieldOfTheApi) {
  Json dbs = CliJson({"db", "ls"});
  HttpClient c = node_->Client();
  EXPECT_EQ(dbs, Json::parse(c.Send("GET", "/v1/db")->body));
  CliJson({"dest", "add", "photos", "http://127.0.0.1:1"});
  Json runs = CliJson({"sync", "run", "photos"}, "", /*expect_exit=*/3);
  ASSERT_EQ(runs.size(), 1u) << runs;
  for (const char* field : {"more_pending", "last_etag", "destination_url", "reports"}) {
    EXPECT_TRUE(runs[0].contains(field)) << field << ": " << runs;
  }
}

// Point 12: `file put --if-match` that does not match says what the current etag is.
TEST_F(NewcomerTest, AStaleIfMatchNamesTheCurrentEtag) {
  CliJson({"file", "put", "photos", "f.txt", "-"}, "one");
  CliJson({"file", "put", "photos", "f.txt", "-"}, "two");
  Json err = CliError({"file", "put", "photos", "f.txt", "-", "--if-match", "1"}, "three");
  EXPECT_EQ(err["error"], "precondition_failed");
  EXPECT_NE(err["message"].get<std::string>().find("current etag is 2"), std::string::npos) << err;
}

// Point 13: right after `dest add`, LAST_ETAG is never a 0 that looks final.
TEST_F(NewcomerTest, ANewDestinationShowsNoEtagBeforeItsFirstRun) {
  CliJson({"dest", "add", "photos", "http://127.0.0.1:1"});  // never reachable
  CliResult ls = Cli({"dest", "ls", "photos"});
  ASSERT_EQ(ls.exit_code, 0);
  // The LAST_ETAG column of the row (the table is ASCII here, so bytes are columns).
  size_t column = ls.out.find("LAST_ETAG");
  std::string row = ls.out.substr(ls.out.find("http://127.0.0.1:1"));
  ASSERT_GT(row.size(), column) << ls.out;
  std::string value = row.substr(column, row.find(' ', column) - column);
  EXPECT_TRUE(value == "-" || value == "syncing") << value << "\n" << ls.out;
}

}  // namespace syncline::testing
