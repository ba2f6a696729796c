// A destination that answers the sync protocol with anything but the protocol (issue 7): the
// node stays up, fails the run with a typed error shown in `sync run` and `dest ls`, backs
// off, survives a restart with the hostile destination still configured, and syncs correctly
// once a well-behaved destination takes its place.
#include <gtest/gtest.h>

#include <set>

#include "sync_fixture.h"
#include "testing/fake_peer.h"

namespace syncline::testing {
namespace {

using Reply = FakePeer::Reply;

Reply Raw(std::string bytes, bool close = true) {
  Reply r;
  r.bytes = std::move(bytes);
  r.close = close;
  return r;
}

// A peer that speaks the protocol correctly up to `op`, then answers `bad` there: the
// destination is empty, so state says nothing exists and every apply succeeds.
FakePeer::Script BreakAt(const std::string& op, Reply bad) {
  return [op, bad](const std::string& got, const std::string&) -> Reply {
    if (got == op) return bad;
    if (got == "last-etag" || got == "set-last-etag") return FakePeer::Http(200, R"({"last_etag":0})");
    if (got == "state") return FakePeer::Http(200, R"({"items":[{"exists":false}]})");
    return FakePeer::Http(200, "{}");
  };
}

struct Mode {
  const char* name;
  FakePeer::Script script;
  std::set<std::string> codes;  // what the run may fail with
};

class HostilePeerTest : public SyncTest {
 protected:
  bool Healthy(ServerProcess& n) {
    HttpClient c(n.url(), "");
    return c.Send("GET", "/v1/health").ok();
  }
};

TEST_F(HostilePeerTest, MalformedRepliesFailTheRunWithTypedErrorsAndTheNodeStaysUp) {
  ServerProcess& a = AddNodeWithDb({"--sync-interval", "3600", "--sync-timeout", "2"});
  Call(a, "PUT", "/v1/db/d/docs/c/k", R"({"v":1})");
  std::string content = RandomBytes(300000, 7);
  PutFile(a, "d", "f.bin", content);
  std::string hash = ContentHashOf(a, "d", "f.bin");

  std::string too_large = "HTTP/1.1 200 OK\r\nContent-Length: 80000000\r\n\r\n" +
                          std::string(70u << 20, ' ');
  const Mode modes[] = {
      {"last_etag is not a number (the crash loop of issue 7)",
       [](const std::string&, const std::string&) {
         return FakePeer::Http(200, R"({"last_etag":"not-a-number"})");
       },
       {"protocol_error"}},
      {"every field missing", [](const std::string&, const std::string&) {
         return FakePeer::Http(200, "{}");
       }, {"protocol_error"}},
      {"state of the wrong type", BreakAt("state", FakePeer::Http(200, R"({"items":"x"})")),
       {"protocol_error"}},
      {"state with the wrong count", BreakAt("state", FakePeer::Http(200, R"({"items":[]})")),
       {"protocol_error"}},
      {"apply-docs results of the wrong shape",
       BreakAt("apply-docs", FakePeer::Http(200, R"({"results":[{"outcome":"eaten"}]})")),
       {"protocol_error"}},
      {"file-begin asks for a chunk the file lacks",
       BreakAt("file-begin", FakePeer::Http(200, R"({"outcome":"proceed","need":[99999]})")),
       {"protocol_error"}},
      {"chunks reply miscounts", BreakAt("chunks", FakePeer::Http(200, R"({"stored":0})")),
       {"protocol_error"}},
      {"file-commit outcome unknown",
       BreakAt("file-commit", FakePeer::Http(200, R"({"outcome":"maybe"})")), {"protocol_error"}},
      {"a body that is no JSON", [](const std::string&, const std::string&) {
         return FakePeer::Http(200, "<html>hello</html>", "text/html");
       }, {"protocol_error"}},
      {"garbage instead of HTTP", [](const std::string&, const std::string&) {
         return Raw("SSH-2.0-OpenSSH_9.2\r\n\r\n");
       }, {"protocol_error"}},
      {"a body shorter than its Content-Length", [](const std::string&, const std::string&) {
         return Raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"last_etag\":");
       }, {"unavailable"}},
      {"a body longer than its Content-Length", [](const std::string&, const std::string&) {
         return Raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}\"last_etag\":0}garbage", false);
       }, {"protocol_error"}},
      {"bad chunked encoding", [](const std::string&, const std::string&) {
         return Raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
       }, {"unavailable", "protocol_error"}},
      {"a reply that never ends", [](const std::string&, const std::string&) {
         Reply r = Raw("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n{");
         r.trickle = true;
         return r;
       }, {"unavailable"}},
      {"silence", [](const std::string&, const std::string&) {
         Reply r;
         r.silent = true;
         return r;
       }, {"unavailable"}},
      {"a reply larger than any the protocol has", [&](const std::string&, const std::string&) {
         return Raw(too_large);
       }, {"protocol_error"}},
      {"an error status with a garbage body", [](const std::string&, const std::string&) {
         return FakePeer::Http(500, "\xff\xfe not json", "text/plain");
       }, {"internal"}},
      {"an error body of the wrong types", [](const std::string&, const std::string&) {
         return FakePeer::Http(400, R"({"error":5,"message":[]})");
       }, {"invalid_argument"}},
  };
  FakePeer peer(modes[0].script);
  AddDestination(a, "d", peer.url(), "k");
  for (const Mode& m : modes) {
    SCOPED_TRACE(m.name);
    peer.set_script(m.script);
    int before = peer.requests();
    CliResult run = Cli(a, {"sync", "run", "d", "--json"});
    EXPECT_NE(run.exit_code, 0) << run.out << run.err;
    EXPECT_GT(peer.requests(), before) << "the run never reached the peer";
    Json runs = Json::parse(run.out, nullptr, false);
    ASSERT_TRUE(runs.is_array() && runs.size() == 1) << run.out << run.err;
    // The failure is the run's, or an item's.
    std::string code = runs[0]["error_code"].is_string() ? runs[0]["error_code"] : "";
    for (const Json& r : runs[0]["reports"]) {
      if (code.empty() && r["error_code"].is_string()) code = r["error_code"];
    }
    EXPECT_TRUE(m.codes.count(code)) << "code '" << code << "': " << runs.dump();
    ASSERT_TRUE(Healthy(a)) << a.log();
    Json dest = CliJson(a, {"dest", "ls", "d"})[0];
    EXPECT_TRUE(dest["last_error"].is_string()) << dest;
    EXPECT_TRUE(m.codes.count(dest["last_error_code"].get<std::string>())) << dest;
    EXPECT_GT(dest["next_retry_at"].get<int64_t>(), dest["last_run_at"].get<int64_t>())
        << "a failed run is retried later, with backoff: " << dest;
  }

  // The crash loop of issue 7: a restart with the hostile destination configured, whose first
  // run (at start) meets the malformed reply again; the node stays up.
  peer.set_script(modes[0].script);
  int before = peer.requests();
  a.Kill9();
  a.Start();
  ASSERT_TRUE(WaitUntil([&] { return peer.requests() > before; }));
  ASSERT_TRUE(WaitUntil([&] {
    Json d = CliJson(a, {"dest", "ls", "d"});
    return d[0]["last_error_code"] == "protocol_error" && d[0]["last_run_at"] > 0;
  }));
  EXPECT_TRUE(Healthy(a));
  EXPECT_EQ(a.log().find("terminate called"), std::string::npos) << a.log();

  // Nothing on the source changed, and a well-behaved destination gets it all.
  EXPECT_EQ(ContentHashOf(a, "d", "f.bin"), hash);
  ServerProcess& b = AddNodeWithDb();
  EXPECT_EQ(Cli(a, {"dest", "rm", "d", peer.url()}).exit_code, 0);
  AddDestination(a, "d", b.url(), b.api_key());
  HttpClient cb = b.Client();
  EXPECT_TRUE(WaitUntil([&] { return ContentHashOf(b, "d", "f.bin") == hash; }));
  EXPECT_TRUE(cb.Send("GET", "/v1/db/d/docs/c/k").ok());
}

}  // namespace
}  // namespace syncline::testing
