// The HTTP API of a real server: streaming, ranges, long-poll, limits.
#include <chrono>
#include <thread>

#include "fixture.h"
#include "raw_http.h"
#include "net/url.h"
#include "util/sha256.h"
#include "util/xorshift.h"

namespace syncline::testing {

class HttpApiTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    client_ = std::make_unique<HttpClient>(node_->Client());
    ASSERT_OK(client_->Send("PUT", "/v1/db/d"));
  }
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpApiTest, RangeAndHeadOnFiles) {
  std::string data = RandomBytes(1 << 20, 21);
  ASSERT_OK(client_->Upload("/v1/db/d/files/r.bin",
                            [&, off = size_t{0}](char* buf, size_t n) mutable -> Result<size_t> {
                              size_t k = std::min(n, data.size() - off);
                              std::memcpy(buf, data.data() + off, k);
                              off += k;
                              return k;
                            },
                            static_cast<int64_t>(data.size())));
  auto part = client_->Send("GET", "/v1/db/d/files/r.bin", {}, {{"Range", "bytes=1000-200999"}});
  ASSERT_OK(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, data.substr(1000, 200000));
  EXPECT_EQ(*part->Header("content-range"), "bytes 1000-200999/1048576");
  auto tail = client_->Send("GET", "/v1/db/d/files/r.bin", {}, {{"Range", "bytes=-10"}});
  EXPECT_EQ(tail->body, data.substr(data.size() - 10));
  auto bad = client_->Send("GET", "/v1/db/d/files/r.bin", {}, {{"Range", "bytes=5000000-"}});
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  auto head = client_->Send("HEAD", "/v1/db/d/files/r.bin");
  ASSERT_OK(head);
  EXPECT_EQ(*head->Header("content-length"), "1048576");
  EXPECT_EQ(*head->Header("syncline-content-hash"), HexEncode(Sha256(data)));
  EXPECT_TRUE(head->body.empty());
}

TEST_F(HttpApiTest, LongPollReturnsAsSoonAsSomethingChanges) {
  // The poll waits up to an hour, far past the test's own time limit: only the commit can
  // end it, so returning at all is the proof (no elapsed time is measured).
  std::thread writer([&] {
    HttpClient c = node_->Client();
    // The commit comes once the poll is parked, which health shows.
    while (Json::parse(c.Send("GET", "/v1/health")->body)["long_polls"] == 0) {
    }
    EXPECT_OK(c.Send("PUT", "/v1/db/d/docs/c/k", "{}"));
  });
  auto r = client_->Send("GET", "/v1/db/d/changes?since=0&wait=3600");
  writer.join();
  ASSERT_OK(r);
  EXPECT_EQ(Json::parse(r->body)["changes"].size(), 1u);
}

TEST_F(HttpApiTest, LongPollTimesOutEmpty) {
  auto r = client_->Send("GET", "/v1/db/d/changes?since=0&wait=1");
  ASSERT_OK(r);
  EXPECT_TRUE(Json::parse(r->body)["changes"].empty());
}

TEST_F(HttpApiTest, OversizedDocumentsAndBodiesAreRefused) {
  std::string doc = "{\"a\":\"" + std::string((16 << 20) + 1, 'x') + "\"}";
  EXPECT_EQ(client_->Send("PUT", "/v1/db/d/docs/c/k", doc).status().code(), Status::Code::kTooLarge);
  HttpClient fresh = node_->Client();
  std::string huge(65 << 20, ' ');
  EXPECT_EQ(fresh.Send("POST", "/v1/db/d/bulk", huge).status().code(), Status::Code::kTooLarge);
  EXPECT_EQ(Json::parse(client_->Send("GET", "/v1/db/d")->body)["last_etag"], 0);
}

TEST_F(HttpApiTest, ManyRequestsOnOneKeptAliveConnection) {
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(client_->Send("PUT", "/v1/db/d/docs/c/k" + std::to_string(i), "{\"i\":1}"));
  }
  EXPECT_EQ(Json::parse(client_->Send("GET", "/v1/db/d")->body)["last_etag"], 200);
}

// Uploads stream through the chunker: the server's memory does not grow with the file.
TEST_F(HttpApiTest, LargeUploadKeepsServerMemoryBounded) {
  constexpr uint64_t kSize = 512ull << 20;
  Xorshift64 stream(1);
  uint64_t sent = 0;
  Sha256Hasher hasher;
  auto r = client_->Upload(
      "/v1/db/d/files/big.bin",
      [&](char* buf, size_t n) -> Result<size_t> {
        n = std::min<uint64_t>(n, kSize - sent);
        stream.Fill(buf, n);
        hasher.Update(buf, n);
        sent += n;
        return n;
      },
      kSize);
  ASSERT_OK(r);
  EXPECT_EQ(Json::parse(r->body)["content_hash"], HexEncode(hasher.Finish()));
  uint64_t rss = PeakRssBytes(node_->pid());
  EXPECT_GT(rss, 0u);
  EXPECT_LT(rss, 150ull << 20) << "peak RSS " << (rss >> 20) << " MiB";
  // And download streams it back whole.
  uint64_t got = 0;
  ASSERT_OK(client_->Download("/v1/db/d/files/big.bin", [&](std::string_view d) {
    got += d.size();
    return Status::OK();
  }));
  EXPECT_EQ(got, kSize);
}

TEST_F(HttpApiTest, PercentEncodedNamesRoundTrip) {
  std::string name = "dir/a b&c?d#e%.txt";
  ASSERT_OK(client_->Send("PUT", "/v1/db/d/docs/c/" + PercentEncode(name, true), "{}"));
  auto page = client_->Send("GET", "/v1/db/d/changes");
  EXPECT_EQ(Json::parse(page->body)["changes"][0]["key"], name);
}

}  // namespace syncline::testing

namespace syncline::testing {

// Every bad input of the foundation issue, over a real connection: a clear error, no change.
TEST_F(HttpApiTest, BadInputIsRefusedAndChangesNothing) {
  struct Case {
    std::string method, path, body;
    Status::Code code;
  };
  std::string nul_name = "/v1/db/d/files/a%00b";
  std::vector<Case> cases = {
      {"PUT", "/v1/db/d/docs/c/a/../b", "{}", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/docs/c/a//b", "{}", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/docs/c/a%00b", "{}", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/docs/c/" + std::string(1025, 'k'), "{}", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/files/" + std::string(1025, 'f'), "x", Status::Code::kInvalidArgument},
      {"PUT", nul_name, "x", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/docs/c/k", "{not json", Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/d/docs/c/k", "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}",
       Status::Code::kInvalidArgument},
      {"PUT", "/v1/db/nope/docs/c/k", "{}", Status::Code::kNotFound},
      {"PUT", "/v1/db/nope/files/f", "x", Status::Code::kNotFound},
      {"POST", "/v1/db/d/bulk", "{\"docs\": 5}", Status::Code::kInvalidArgument},
      {"POST", "/v1/db/d/rename", "{\"from\": \"a\", \"to\": \"../b\"}", Status::Code::kInvalidArgument},
  };
  for (const Case& c : cases) {
    auto r = c.method == "PUT" && c.path.find("/files/") != std::string::npos
                 ? client_->Upload(c.path,
                                   [&, done = false](char* buf, size_t) mutable -> Result<size_t> {
                                     if (done) return size_t{0};
                                     done = true;
                                     buf[0] = 'x';
                                     return size_t{1};
                                   },
                                   1)
                 : client_->Send(c.method, c.path, c.body);
    EXPECT_EQ(r.status().code(), c.code) << c.method << " " << c.path.substr(0, 80) << ": "
                                         << r.status().ToString();
    EXPECT_FALSE(r.status().message().empty());
  }
  for (const char* key : {"", "wrong"}) {
    HttpClient anon(node_->url(), key);
    EXPECT_EQ(anon.Send("PUT", "/v1/db/d/docs/c/k", "{}").status().code(),
              Status::Code::kUnauthenticated);
  }
  EXPECT_EQ(Json::parse(client_->Send("GET", "/v1/db/d")->body)["last_etag"], 0);
  EXPECT_TRUE(Json::parse(client_->Send("GET", "/v1/db/d/changes")->body)["changes"].empty());
}

// Issue 8, point 11: stopping a node answers its parked long-polls instead of dropping them.
TEST_F(HttpApiTest, ShutdownAnswersPendingLongPolls) {
  ASSERT_OK(client_->Send("PUT", "/v1/db/d/docs/c/k", "{}"));
  Result<HttpResponse> answer = Status::Internal("not answered");
  std::thread poller([&] {
    HttpClient c = node_->Client();
    answer = c.Send("GET", "/v1/db/d/changes?since=1&wait=3600");
  });
  ASSERT_TRUE(WaitUntil([&] {
    auto h = client_->Send("GET", "/v1/health");
    return h.ok() && Json::parse(h->body)["long_polls"] == 1;
  }));
  EXPECT_EQ(node_->Stop(), 0);  // SIGTERM
  poller.join();
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200);
  Json page = Json::parse(answer->body);
  EXPECT_TRUE(page["changes"].empty());
  EXPECT_EQ(page["last_etag"], 1);
  const std::string* connection = answer->Header("connection");
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(*connection, "close");
}

// Issue 8, point 7: what curl users and the HTTP RFCs expect, on the wire.
class HttpConventionsTest : public HttpApiTest {
 protected:
  RawResponse Raw(const std::string& method, const std::string& target,
                  const std::string& extra_headers = "", const std::string& body = "") {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                      "Authorization: Bearer " + node_->api_key() + "\r\n" + extra_headers;
    if (!body.empty() || method == "PUT" || method == "POST") {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return RawExchange(node_->url(), req + "\r\n" + body);
  }
};

TEST_F(HttpConventionsTest, MethodNotAllowedSaysWhatIs) {
  RawResponse r = Raw("POST", "/v1/db");
  EXPECT_EQ(r.status, 405) << r.head;
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD, OPTIONS");
  r = Raw("OPTIONS", "/v1/db/d/files/a.txt");
  EXPECT_EQ(r.status, 204) << r.head;
  EXPECT_EQ(r.Header("Content-Length"), "") << "a 204 has no Content-Length: " << r.head;
  EXPECT_EQ(r.Header("Allow"), "GET, HEAD, PUT, DELETE, OPTIONS");
}

TEST_F(HttpConventionsTest, HeadAnswersLikeGetWithoutABody) {
  for (const char* target : {"/v1/db", "/v1/db/d", "/v1/db/d/changes", "/v1/db/d/conflicts",
                             "/v1/db/d/destinations", "/v1/db/d/sync/finished"}) {
    RawResponse get = Raw("GET", target);
    RawResponse head = Raw("HEAD", target);
    EXPECT_EQ(head.status, 200) << target << "\n" << head.head;
    EXPECT_EQ(head.Header("Content-Length"), std::to_string(get.body.size())) << target;
    EXPECT_EQ(head.body, "") << target;
  }
}

TEST_F(HttpConventionsTest, IfMatchTakesEveryRfcForm) {
  ASSERT_EQ(Raw("PUT", "/v1/db/d/docs/c/k", "", R"({"v":1})").status, 200);  // etag 1
  struct Case {
    const char* if_match;
    int status;
  };
  const Case cases[] = {
      {"\"9\"", 412}, {"W/\"1\"", 412},  // If-Match compares strongly: a weak tag never matches
      {"\"1\"", 200},                        // now at etag 2
      {"*", 200},                            // at 3
      {"\"7\", \"3\"", 200},                 // at 4
      {"4", 200},                            // bare, as older clients sent; at 5
      {"nonsense", 400},
  };
  for (const Case& c : cases) {
    RawResponse r = Raw("PUT", "/v1/db/d/docs/c/k", std::string("If-Match: ") + c.if_match + "\r\n",
                        R"({"v":2})");
    EXPECT_EQ(r.status, c.status) << c.if_match << ": " << r.body;
  }
  EXPECT_EQ(Raw("PUT", "/v1/db/d/docs/c/absent", "If-Match: *\r\n", "{}").status, 412);
  EXPECT_EQ(Raw("GET", "/v1/db/d/docs/c/absent").status, 404);  // If-Match: * created nothing
  // A failed precondition says what the current etag is.
  RawResponse stale = Raw("DELETE", "/v1/db/d/docs/c/k", "If-Match: \"1\"\r\n");
  EXPECT_EQ(stale.status, 412);
  EXPECT_NE(stale.body.find("current etag is 5"), std::string::npos) << stale.body;
}

TEST_F(HttpConventionsTest, IfNoneMatchMakesCreateOnlyWritesAndNotModifiedReads) {
  RawResponse created = Raw("PUT", "/v1/db/d/docs/c/k", "If-None-Match: *\r\n", R"({"v":1})");
  EXPECT_EQ(created.status, 200) << created.body;
  RawResponse again = Raw("PUT", "/v1/db/d/docs/c/k", "If-None-Match: *\r\n", R"({"v":2})");
  EXPECT_EQ(again.status, 412) << again.body;
  EXPECT_EQ(Raw("GET", "/v1/db/d/docs/c/k").body, R"({"v":1})");
  RawResponse file = Raw("PUT", "/v1/db/d/files/f.txt", "If-None-Match: *\r\n", "hello");
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(Raw("PUT", "/v1/db/d/files/f.txt", "If-None-Match: *\r\n", "other").status, 412);

  // Reads: 304 with the ETag and no body when the client's copy is current.
  for (const char* target : {"/v1/db/d/docs/c/k", "/v1/db/d/files/f.txt", "/v1/db/d/meta/f.txt"}) {
    RawResponse get = Raw("GET", target);
    std::string etag = get.Header("ETag");
    ASSERT_FALSE(etag.empty()) << target;
    RawResponse same = Raw("GET", target, "If-None-Match: " + etag + "\r\n");
    EXPECT_EQ(same.status, 304) << target;
    EXPECT_EQ(same.Header("ETag"), etag) << target;
    EXPECT_EQ(same.body, "") << target;
    EXPECT_EQ(same.Header("Content-Length"), "") << "a 304 has no Content-Length of 0: " << target;
    EXPECT_EQ(Raw("GET", target, "If-None-Match: W/" + etag + "\r\n").status, 304) << target;
    EXPECT_EQ(Raw("GET", target, "If-None-Match: \"999\"\r\n").status, 200) << target;
    EXPECT_EQ(Raw("GET", target, "If-Match: \"999\"\r\n").status, 412) << target;
  }
}

TEST_F(HttpConventionsTest, RangesItCannotServeAreIgnored) {
  ASSERT_EQ(Raw("PUT", "/v1/db/d/files/f.txt", "", "0123456789").status, 200);
  for (const char* range : {"items=0-1", "bytes=0-1,4-5", "bytes=5-2", "bytes=x"}) {
    RawResponse r = Raw("GET", "/v1/db/d/files/f.txt", std::string("Range: ") + range + "\r\n");
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.body, "0123456789") << range;
  }
  RawResponse part = Raw("GET", "/v1/db/d/files/f.txt", "Range: bytes=2-4\r\n");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  // If-Range with a stale etag: the file changed, so it comes whole.
  RawResponse changed =
      Raw("GET", "/v1/db/d/files/f.txt", "Range: bytes=2-4\r\nIf-Range: \"99\"\r\n");
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "0123456789");
  EXPECT_EQ(Raw("GET", "/v1/db/d/files/f.txt", "Range: bytes=50-\r\n").status, 416);
}

TEST_F(HttpConventionsTest, EveryWriteAnswersWithItsETag) {
  ASSERT_EQ(Raw("PUT", "/v1/db/d/files/a.txt", "", "x").status, 200);
  // The header is the etag the body reports, quoted.
  auto etag_of_body = [](const RawResponse& r) {
    return "\"" + std::to_string(Json::parse(r.body)["etag"].get<int64_t>()) + "\"";
  };
  RawResponse renamed = Raw("POST", "/v1/db/d/rename", "", R"({"from":"a.txt","to":"b.txt"})");
  EXPECT_EQ(renamed.status, 200);
  EXPECT_EQ(renamed.Header("ETag"), etag_of_body(renamed)) << renamed.head;
  RawResponse gone = Raw("DELETE", "/v1/db/d/files/b.txt");
  EXPECT_EQ(gone.status, 200);
  EXPECT_EQ(gone.Header("ETag"), etag_of_body(gone)) << gone.head;
  ASSERT_EQ(Raw("PUT", "/v1/db/d/docs/c/k", "", "{}").status, 200);
  RawResponse doc_gone = Raw("DELETE", "/v1/db/d/docs/c/k");
  EXPECT_EQ(doc_gone.Header("ETag"), etag_of_body(doc_gone)) << doc_gone.head;
}

}  // namespace syncline::testing
