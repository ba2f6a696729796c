// Garbage collection (issue 7): replaced, deleted and abandoned data is reclaimed to within 10%
// of the live bytes; chunks that an upload in progress, a reader or a conflict still needs are
// kept; and a seeded run interleaving uploads, deletes, renames, reads, collections and crashes
// (a failing file system call, then a power cut and a restart) loses no acknowledged file.
#include "sync/garbage_collector.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <thread>

#include "chunk/file_reader.h"
#include "chunk/file_writer.h"
#include "sync/conflicts.h"
#include "sync/local_writer.h"
#include "replicate/pusher.h"
#include "replicate/receiver.h"
#include "testing/fault_file_system.h"
#include "testing/loopback_remote.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

constexpr uint64_t kMiB = 1 << 20;

class GarbageCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(node_.Open());
    ASSERT_OK(store()->CreateDatabase("db"));
  }
  Store* store() { return node_.store.get(); }
  void ExpectFile(const std::string& name, const std::string& data) {
    auto got = testing::ReadTestFile(store(), "db", name);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status().ToString();
    EXPECT_TRUE(*got == data) << name << " differs";
  }

  testing::FaultyStore node_;
};

TEST_F(GarbageCollectorTest, ReclaimsReplacedAndDeletedDataToWithinTenPercentOfLive) {
  // About 1 GiB written: 16 files of 20 MiB, each replaced twice, then half of them deleted.
  std::map<std::string, std::string> live;
  LocalWriter writer(store(), Env::Default()->clock);
  for (int version = 0; version < 3; ++version) {
    for (int i = 0; i < 16; ++i) {
      std::string name = "f" + std::to_string(i);
      std::string data = testing::RandomBytes(20 * kMiB, version * 100 + i);
      ASSERT_OK(testing::WriteTestFile(store(), "db", name, data, 4 * kMiB));
      if (version == 2 && i % 2 == 0) live[name] = std::move(data);
    }
  }
  for (int i = 1; i < 16; i += 2) {
    ASSERT_OK(writer.Delete("db", ItemKind::kFile, "", "f" + std::to_string(i), std::nullopt));
  }
  auto before = GetChunkStats(store(), "db");
  ASSERT_OK(before);
  EXPECT_GT(before->disk_bytes, 900 * kMiB);
  EXPECT_EQ(before->live_bytes, 8 * 20 * kMiB);

  auto after = CollectGarbage(store(), "db", GcOptions{0});
  ASSERT_OK(after);
  EXPECT_GT(after->packs_compacted, 0);
  EXPECT_EQ(after->live_bytes, 8 * 20 * kMiB);
  EXPECT_LE(after->disk_bytes, after->live_bytes + after->live_bytes / 10)
      << "disk " << after->disk_bytes << " for live " << after->live_bytes;
  for (const auto& [name, data] : live) ExpectFile(name, data);
  // And after a restart (the old pack files are gone, the moved rows durable).
  ASSERT_NO_FATAL_FAILURE(node_.Open());
  for (const auto& [name, data] : live) ExpectFile(name, data);
}

TEST_F(GarbageCollectorTest, KeepsWhatUploadsReadersAndConflictsNeedAndNothingElse) {
  const std::string v1 = testing::RandomBytes(3 * kMiB, 1), v2 = testing::RandomBytes(3 * kMiB, 2);
  ASSERT_OK(testing::WriteTestFile(store(), "db", "read-me", v1));
  // A reader opens version 1, then version 2 replaces it.
  Item item = *store()->GetItem("db", ItemKind::kFile, "", "read-me");
  std::optional<FileReader> reader;
  reader.emplace(store(), "db", *Manifest::Decode(item.manifest), 0, v1.size());
  ASSERT_OK(testing::WriteTestFile(store(), "db", "read-me", v2));
  // An upload whose chunks are stored but whose file is not committed yet.
  const std::string pending = testing::RandomBytes(2 * kMiB, 3);
  auto upload = FileWriter::Open(store(), "db");
  ASSERT_OK(upload);
  ASSERT_OK((*upload)->Append(pending));
  auto content = (*upload)->Finish();
  ASSERT_OK(content);
  // An abandoned upload: its chunks are garbage.
  {
    auto abandoned = FileWriter::Open(store(), "db");
    ASSERT_OK(abandoned);
    ASSERT_OK((*abandoned)->Append(testing::RandomBytes(2 * kMiB, 4)));
    ASSERT_OK((*abandoned)->Finish());
  }
  // A conflict keeps an incoming version aside: its chunks are live.
  const std::string remote = testing::RandomBytes(kMiB, 5);
  auto kept = FileWriter::Open(store(), "db");
  ASSERT_OK(kept);
  ASSERT_OK((*kept)->Append(remote));
  auto remote_content = (*kept)->Finish();
  ASSERT_OK(remote_content);
  Conflict c;
  c.ref = {ItemKind::kFile, "", "read-me"};
  c.remote_url = "http://peer";
  c.remote_node = "peer";
  c.local_version = item.version_vector;
  c.remote_version = R"({"peer":1})";
  c.remote_item.kind = ItemKind::kFile;
  c.remote_item.key = "read-me";
  c.remote_item.version_vector = R"({"peer":1})";
  c.remote_item.size = static_cast<int64_t>(remote.size());
  c.remote_item.content_hash = remote_content->content_hash;
  c.remote_item.manifest = remote_content->manifest;
  ASSERT_OK(store()->Write("db", [&](WriteTransaction& txn) { return RecordConflict(txn, c); }));
  kept->reset();  // only the conflict names these chunks now

  auto stats = CollectGarbage(store(), "db", GcOptions{0});
  ASSERT_OK(stats);
  EXPECT_GT(stats->bytes_reclaimed, 0u);

  // The reader still reads version 1 whole.
  std::string read;
  while (true) {
    auto piece = reader->Next();
    ASSERT_OK(piece);
    if (piece->empty()) break;
    read.append(*piece);
  }
  EXPECT_TRUE(read == v1);
  reader.reset();  // done reading: version 1 may go
  // The upload commits and reads back.
  LocalWriter writer(store(), Env::Default()->clock);
  ASSERT_OK(writer.CommitFile("db", "late", *content, "{}", std::nullopt, true));
  upload->reset();
  ExpectFile("late", pending);
  // The conflict's version is whole.
  Manifest remote_manifest = *Manifest::Decode(remote_content->manifest);
  for (const ChunkRef& ref : remote_manifest.chunks) {
    std::string chunk;
    EXPECT_OK(store()->ReadChunk("db", ref.hash, &chunk));
  }
  // Version 1 and the abandoned upload are gone once nothing needs them.
  auto after = CollectGarbage(store(), "db", GcOptions{0});
  ASSERT_OK(after);
  EXPECT_LE(after->disk_bytes, after->live_bytes + after->live_bytes / 10);
  EXPECT_EQ(after->live_bytes, v2.size() + pending.size() + remote.size());
}

// Seeded: uploads, deletes, renames, syncs from another node and reads on one thread,
// collections on another, and now and then a crash (a failing file system call mid-operation,
// a power cut, a restart).
TEST_F(GarbageCollectorTest, RandomizedInterleavingWithCrashesLosesNoAcknowledgedFile) {
  const uint64_t seed = 20261123;
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::map<std::string, std::string> acknowledged;  // name -> content, for live files
  auto pick = [&](uint64_t n) { return static_cast<uint64_t>(rng() % n); };
  // Another node whose files ("s0".."s3") are pushed here.
  testing::TempDir source_dir;
  std::unique_ptr<Store> source;
  ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(source_dir, "db", &source));
  std::map<std::string, std::string> at_source;
  int clean_syncs = 0;
  for (int round = 0; round < 6; ++round) {
    // The receiver holds pins in the store: it goes before the store restarts (below).
    std::optional<Receiver> receiver(std::in_place, store(), Env::Default()->clock, 600'000'000);
    Pusher pusher(source.get(), Env::Default()->clock, "db",
                  {source->node_id(), "db", "http://source"},
                  [&](const Destination&) {
                    return std::make_unique<testing::LoopbackRemote>(&*receiver, "db", nullptr);
                  },
                  nullptr);
    Destination here;
    here.url = "http://here";
    here.remote_db = "db";
    std::atomic<bool> stop{false};
    std::atomic<int> collections{0};
    std::thread collector([&] {
      while (!stop) {
        if (CollectGarbage(store(), "db", GcOptions{0}).ok()) ++collections;
      }
    });
    LocalWriter writer(store(), Env::Default()->clock);
    for (int op = 0; op < 40; ++op) {
      std::string name = "n" + std::to_string(pick(8));
      switch (pick(5)) {
        case 0:
        case 1: {
          std::string data = testing::RandomBytes(50000 + pick(600000), rng());
          if (testing::WriteTestFile(store(), "db", name, data, 1 + pick(200000)).ok()) {
            acknowledged[name] = std::move(data);
          }
          break;
        }
        case 2:
          if (acknowledged.count(name) &&
              writer.Delete("db", ItemKind::kFile, "", name, std::nullopt).ok()) {
            acknowledged.erase(name);
          }
          break;
        case 3: {
          std::string to = "n" + std::to_string(pick(8));
          if (acknowledged.count(name) && !acknowledged.count(to) &&
              writer.RenameFile("db", name, to, std::nullopt).ok()) {
            acknowledged[to] = std::move(acknowledged[name]);
            acknowledged.erase(name);
          }
          break;
        }
        case 4: {
          // A sync: the other node changes a file, then pushes what it has.
          std::string s = "s" + std::to_string(pick(4));
          std::string data = testing::RandomBytes(50000 + pick(400000), rng());
          ASSERT_OK(testing::WriteTestFile(source.get(), "db", s, data));
          at_source[s] = std::move(data);
          DestinationRun run = pusher.Run(here, PushOptions{});
          bool clean = run.error.ok();
          for (const auto& r : run.reports) clean = clean && r.error.ok();
          if (clean) {
            for (const auto& [n, d] : at_source) acknowledged[n] = d;
            ++clean_syncs;
          }
          break;
        }
      }
      for (const auto& [n, data] : acknowledged) {
        if (pick(10) == 0) ExpectFile(n, data);  // reads race with the collector
      }
    }
    stop = true;
    collector.join();
    EXPECT_GT(collections.load(), 0);
    // A crash point: one more upload and a collection, with the file system failing at a
    // random call; then a power cut and a restart.
    node_.fs.FailAt(static_cast<int64_t>(pick(60)));
    (void)testing::WriteTestFile(store(), "db", "crash", testing::RandomBytes(300000, rng()));
    (void)CollectGarbage(store(), "db", GcOptions{0});
    node_.fs.Heal();
    node_.fs.DropUnsyncedData();
    receiver.reset();
    ASSERT_NO_FATAL_FAILURE(node_.Open());
    for (const auto& [n, data] : acknowledged) ExpectFile(n, data);
  }
  EXPECT_GT(clean_syncs, 5);
}

}  // namespace
}  // namespace syncline
