// Monitoring against real nodes: the event stream (long-poll, roles), /metrics access, and the
// structured log lines every sync run writes.
#include <thread>

#include "fixture.h"

namespace syncline::testing {

namespace {

Json Get(HttpClient& c, const std::string& path) {
  Result<HttpResponse> r = c.Send("GET", path);
  EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
  return r.ok() ? Json::parse(r->body, nullptr, false) : Json();
}

// Parked long-polls, from /v1/health.
int LongPolls(HttpClient& c) {
  Result<HttpResponse> h = c.Send("GET", "/v1/health");
  return h.ok() ? Json::parse(h->body)["long_polls"].get<int>() : -1;
}

// The JSON log lines of `log` (the server's stdout and stderr), each parsed; anything else on
// a line that begins with '{' fails the test.
std::vector<Json> JsonLines(const std::string& log) {
  std::vector<Json> out;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] != '{') continue;
    Json j = Json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << line;
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

class MonitoringTest : public NodeTest {
 protected:
  std::string Login(const std::string& user, const std::string& role, const std::string& db) {
    CliJson({"user", "add", user, "--role", role, "--db", db, "--password-stdin"}, "pw-" + user + "-123\n");
    HttpClient c(node_->url(), "");
    Result<HttpResponse> r = c.Send("POST", "/v1/auth/login",
                                    Json{{"username", user}, {"password", "pw-" + user + "-123"}}.dump());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? Json::parse(r->body)["token"].get<std::string>() : "";
  }
};

TEST_F(MonitoringTest, EventsLongPollWakesOnAWriteAndShowsOnlyTheCallersDatabases) {
  CliJson({"db", "create", "notes"});
  CliJson({"db", "create", "secret"});
  std::string reader = Login("reader", "read", "notes");
  HttpClient admin = node_->Client();
  int64_t since = Get(admin, "/v1/events")["last_id"];

  // A reader's long-poll parks until something it may see happens.
  Json woke;
  std::thread poll([&] {
    HttpClient c(node_->url(), reader);
    woke = Get(c, "/v1/events?wait=30&since=" + std::to_string(since));
  });
  EXPECT_TRUE(WaitUntil([&] { return LongPolls(admin) == 1; }));  // then the writes wake it
  CliJson({"doc", "put", "secret", "s", "1", "{}"});  // not the reader's: it sleeps on
  CliJson({"doc", "put", "notes", "n", "1", R"({"t":1})"});
  poll.join();
  ASSERT_TRUE(woke.is_object());
  std::vector<Json> seen;
  int64_t through = woke["last_id"];
  for (const Json& e : woke["events"]) seen.push_back(e);
  // The secret write may have woken it first: read on until the notes change shows.
  HttpClient rc(node_->url(), reader);
  while (seen.empty()) {
    Json more = Get(rc, "/v1/events?wait=30&since=" + std::to_string(through));
    through = more["last_id"];
    for (const Json& e : more["events"]) seen.push_back(e);
  }
  for (const Json& e : seen) EXPECT_EQ(e["db"], "notes") << e.dump();
  EXPECT_EQ(seen[0]["type"], "change");
  EXPECT_EQ(seen[0]["documents"], 1);
  EXPECT_GT(seen[0]["id"].get<int64_t>(), since);

  // The admin sees both databases; a filter narrows by type and database.
  Json all = Get(admin, "/v1/events?since=" + std::to_string(since));
  std::set<std::string> dbs;
  for (const Json& e : all["events"]) dbs.insert(e["db"].get<std::string>());
  EXPECT_EQ(dbs, (std::set<std::string>{"notes", "secret"}));
  Json only = Get(admin, "/v1/events?types=change&db=secret&since=" + std::to_string(since));
  ASSERT_EQ(only["events"].size(), 1u);
  EXPECT_EQ(only["events"][0]["db"], "secret");

  // An id ahead of the node's (it restarted) starts over, and says so.
  Json ahead = Get(admin, "/v1/events?since=99999999");
  EXPECT_TRUE(ahead["reset"].get<bool>());
  EXPECT_FALSE(ahead["events"].empty());
  // Bad input is refused.
  Result<HttpResponse> bad = admin.Send("GET", "/v1/events?wait=600");
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(MonitoringTest, MetricsNeedANodeAdminOrTheScrapeToken) {
  std::string token_file = WriteLocal("scrape.token", "scrape-token-0123456789\n");
  node_->Stop();
  node_->set_extra_args({"--metrics-token-file", token_file});
  node_->Start();
  CliJson({"db", "create", "notes"});
  std::string reader = Login("reader", "read", "notes");

  HttpClient anonymous(node_->url(), "");
  EXPECT_EQ(anonymous.Send("GET", "/metrics").status().code(), Status::Code::kUnauthenticated);
  HttpClient as_reader(node_->url(), reader);
  EXPECT_EQ(as_reader.Send("GET", "/metrics").status().code(), Status::Code::kPermissionDenied);
  HttpClient scraper(node_->url(), "scrape-token-0123456789");
  Result<HttpResponse> scraped = scraper.Send("GET", "/metrics");
  ASSERT_TRUE(scraped.ok()) << scraped.status().ToString();
  EXPECT_EQ(*scraped->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(scraped->body.find("# TYPE syncline_http_requests_total counter"), std::string::npos);
  // The scrape token opens nothing else.
  EXPECT_EQ(scraper.Send("GET", "/v1/db").status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(scraper.Send("GET", "/v1/db/notes").status().code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(node_->Client().Send("GET", "/metrics").ok());

  // What a client makes up (methods, paths) cannot grow the metrics' labels.
  for (int i = 0; i < 20; ++i) {
    (void)anonymous.Send("MADEUP" + std::to_string(i), "/random/path/" + std::to_string(i));
  }
  std::string text = node_->Client().Send("GET", "/metrics")->body;
  EXPECT_EQ(text.find("MADEUP"), std::string::npos);
  EXPECT_EQ(text.find("/random/path"), std::string::npos);
  EXPECT_NE(text.find(R"(syncline_http_requests_total{route="unmatched",method="other",code="401"} 20)"),
            std::string::npos)
      << text.substr(0, 2000);

  // A token file that is missing or too short stops the node from starting.
  std::string short_file = WriteLocal("short.token", "short\n");
  for (const std::string& bad : {short_file, dir_.Sub("missing.token")}) {
    CliResult r = RunProcess(SYNCLINE_BINARY, {"serve", "--data", dir_.Sub("other"), "--listen",
                                               "127.0.0.1:0", "--metrics-token-file", bad});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find("--metrics-token-file"), std::string::npos) << r.err;
  }
}

TEST_F(MonitoringTest, EverySyncRunLogsOneJsonLineWithItsDatabaseDestinationAndErrorCode) {
  ServerProcess dest(SYNCLINE_BINARY, dir_.Sub("dest"));
  dest.Start();
  node_->Stop();
  node_->set_extra_args({"--log-format", "json", "--manual-sync"});
  node_->Start();
  CliJson({"db", "create", "notes"});
  RunProcess(SYNCLINE_BINARY, {"db", "create", "notes", "--server", dest.url(), "--api-key", dest.api_key()});
  CliJson({"dest", "add", "notes", dest.url(), "--remote-key", dest.api_key()});
  CliJson({"doc", "put", "notes", "n", "1", "{}"});
  CliJson({"sync", "run", "notes"});
  dest.Stop();  // the next run fails: the destination is down
  CliJson({"doc", "put", "notes", "n", "2", "{}"});
  Cli({"sync", "run", "notes"});

  SCOPED_TRACE(node_->log());
  std::vector<Json> runs;
  for (const Json& j : JsonLines(node_->log())) {
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("event")) << j.dump();
    if (j["event"] == "sync.run") runs.push_back(j);
  }
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["db"], "notes");
  EXPECT_EQ(runs[0]["destination"], dest.url());
  EXPECT_EQ(runs[0]["items"], 1);
  EXPECT_EQ(runs[0]["level"], "info");
  EXPECT_FALSE(runs[0].contains("error_code"));
  EXPECT_EQ(runs[1]["destination"], dest.url());
  EXPECT_EQ(runs[1]["error_code"], "unavailable");
  EXPECT_EQ(runs[1]["level"], "warning");
  EXPECT_TRUE(runs[1]["message"].is_string());
  // A bad format or level is refused at once.
  CliResult bad = RunProcess(SYNCLINE_BINARY, {"serve", "--data", dir_.Sub("x"), "--log-format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("log format must be text or json"), std::string::npos) << bad.err;
}

}  // namespace syncline::testing
