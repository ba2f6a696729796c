// Synchronization under faults: a connection cut mid-file, kill -9 of the destination
// mid-transfer, and a file that changes on the source while it is pushed.
#include "sync_fixture.h"

namespace syncline::testing {

namespace {

constexpr size_t kMiB = 1u << 20;

}  // namespace

TEST_F(SyncTest, CutConnectionMidFileResumesWithOnlyTheMissingChunks) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  const size_t size = 256 * kMiB;
  PutFile(a, "d", "big.bin", RandomBytes(size, 42));
  TcpProxy proxy(b.port());
  proxy.CutAfterBytes(size * 6 / 10, /*then_partition=*/true);  // past the middle of the file

  Json first = SyncStart(a, "big.bin", proxy.url(), b.api_key());
  ASSERT_TRUE(first["error"].is_string()) << "the cut must fail the first attempt: " << first;
  EXPECT_TRUE(FileMeta(b, "d", "big.bin").is_null()) << "no half file appears";
  proxy.SetPartitioned(false);

  Json second = SyncStart(a, "big.bin", proxy.url(), b.api_key());
  EXPECT_TRUE(second["error"].is_null()) << second;
  EXPECT_LT(second["bytes_transferred"].get<int64_t>(), static_cast<int64_t>(size / 2))
      << "chunks received before the cut are kept";
  EXPECT_GT(second["bytes_copied"].get<int64_t>(), static_cast<int64_t>(size / 2));
  EXPECT_EQ(ContentHashOf(b, "d", "big.bin"), ContentHashOf(a, "d", "big.bin"));
}

TEST_F(SyncTest, DestinationKilledMidTransferConvergesAfterRestart) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  TcpProxy proxy(b.port());
  proxy.Throttle(32 * kMiB);  // slow enough to kill b in the middle
  for (int i = 0; i < 20; ++i) {
    Call(a, "PUT", "/v1/db/d/docs/c/k" + std::to_string(i), "{\"i\":" + std::to_string(i) + "}");
  }
  PutFile(a, "d", "big.bin", RandomBytes(64 * kMiB, 5));
  AddDestination(a, "d", proxy.url(), b.api_key());
  ASSERT_TRUE(WaitUntil([&] { return proxy.bytes_up() > 24 * kMiB; }, 20));
  b.Kill9();
  EXPECT_TRUE(FileMeta(a, "d", "big.bin").is_object());
  b.Start();  // same port: the proxy and the destination still point at it
  proxy.Throttle(0);
  // The source retries on its own (backoff) and finishes.
  EXPECT_TRUE(WaitUntil([&] { return ContentHashOf(b, "d", "big.bin") == ContentHashOf(a, "d", "big.bin"); }, 30))
      << a.log();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Call(b, "GET", "/v1/db/d/docs/c/k" + std::to_string(i))["i"], i);
  }
  EXPECT_TRUE(WaitUntil([&] { return CliJson(a, {"dest", "ls", "d"})[0]["last_error"].is_null(); }, 10));
}

TEST_F(SyncTest, SourceKilledMidTransferResumesWithTheMissingChunks) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  TcpProxy proxy(b.port());
  proxy.Throttle(32 * kMiB);
  const size_t size = 64 * kMiB;
  PutFile(a, "d", "big.bin", RandomBytes(size, 8));
  AddDestination(a, "d", proxy.url(), b.api_key());
  ASSERT_TRUE(WaitUntil([&] { return proxy.bytes_up() > 36 * kMiB; }, 20));
  a.Kill9();
  proxy.Throttle(0);
  a.Start();  // its worker runs at start and picks the push up again
  ASSERT_TRUE(WaitUntil([&] { return ContentHashOf(b, "d", "big.bin") == ContentHashOf(a, "d", "big.bin"); }, 30))
      << a.log();
  Json report = CliJson(b, {"sync", "status", "d", "big.bin"});
  EXPECT_TRUE(report["error"].is_null()) << report;
  EXPECT_LT(report["bytes_transferred"].get<int64_t>(), static_cast<int64_t>(size * 3 / 4))
      << "the chunks that arrived before the crash were kept";
}

TEST_F(SyncTest, SourceChangeAbortsThePushAndSendsTheNewVersion) {
  ServerProcess& a = AddNodeWithDb();
  ServerProcess& b = AddNodeWithDb();
  TcpProxy proxy(b.port());
  proxy.Throttle(4 * kMiB);  // 32 MiB take about 8 s
  PutFile(a, "d", "f.bin", RandomBytes(32 * kMiB, 1));
  AddDestination(a, "d", proxy.url(), b.api_key());
  ASSERT_TRUE(WaitUntil([&] { return CliJson(a, {"sync", "active", "d"})["items"].size() == 1; }, 10));
  ASSERT_TRUE(WaitUntil([&] { return proxy.bytes_up() > 2 * kMiB; }, 10));
  // The source never locks: the file can change mid-push.
  std::string v2 = RandomBytes(1 * kMiB, 2);
  int64_t etag2 = PutFile(a, "d", "f.bin", v2);
  ASSERT_GT(etag2, 0);
  proxy.Throttle(0);
  ASSERT_TRUE(WaitUntil([&] { return ContentHashOf(b, "d", "f.bin") == ContentHashOf(a, "d", "f.bin"); }, 30));
  // The old version was abandoned, never applied: b committed exactly one version.
  EXPECT_EQ(Call(b, "GET", "/v1/db/d")["last_etag"], 1);
  Json status = CliJson(a, {"sync", "status", "d", "f.bin"});
  EXPECT_EQ(status["etag"], etag2);
  EXPECT_TRUE(status["error"].is_null()) << status;
}

}  // namespace syncline::testing
