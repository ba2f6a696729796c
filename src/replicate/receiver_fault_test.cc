// A fault matrix over receiving a synced file (issue 7): the destination's file system fails
// its 0th, 1st, 2nd... call of a whole push (begin, chunks, commit) until the push gets
// through. Every failed run leaves the destination's previous version current and whole, and
// releases nothing it should keep (a retry by the same source resumes).
#include <gtest/gtest.h>

#include "chunk/manifest.h"
#include "replicate/chunk_batch.h"
#include "replicate/receiver.h"
#include "sync/item_json.h"
#include "testing/fault_file_system.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

TEST(ReceiverFaultTest, EveryFailedPushLeavesThePreviousVersionWhole) {
  testing::TempDir src_dir;
  std::unique_ptr<Store> src;
  ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(src_dir, "db", &src));
  testing::FaultyStore node;
  ASSERT_NO_FATAL_FAILURE(node.Open());
  std::unique_ptr<Store>& dst = node.store;
  testing::FaultFileSystem& fs = node.fs;
  ASSERT_OK(dst->CreateDatabase("db"));
  const std::string v1 = testing::RandomBytes(400000, 5);
  ASSERT_OK(testing::WriteTestFile(dst.get(), "db", "f", v1));
  // The source's version descends from nothing the destination has: a plain newer version.
  const std::string v2 = testing::RandomBytes(600000, 6);
  ASSERT_OK(testing::WriteTestFile(src.get(), "db", "f", v2));
  // The pushed version descends from the destination's, so it applies rather than conflicts.
  Item item = *src->GetItem("db", ItemKind::kFile, "", "f");
  Item there = *dst->GetItem("db", ItemKind::kFile, "", "f");
  item.version_vector = there.version_vector;
  {
    auto vv = Json::parse(item.version_vector);
    vv["source-node"] = 1;
    item.version_vector = vv.dump();
  }
  Manifest manifest = *Manifest::Decode(item.manifest);
  Json source = {{"node_id", "source-node"}, {"db", "db"}, {"url", "http://source"}};
  Json report = {{"name", "f"}, {"type", "content-update"}, {"etag", item.etag}};
  Receiver receiver(dst.get(), Env::Default()->clock, 600000000);

  // One whole push, as a source makes it.
  auto push = [&]() -> Status {
    SYNCLINE_ASSIGN_OR_RETURN(
        Json begin, receiver.Handle("db", ProtoOp::kFileBegin,
                                    {{"source", source}, {"type", "content-update"},
                                     {"item", ItemToJson(item)}, {"report", report}}));
    ChunkBatchWriter batch;
    std::string chunk;
    for (const Json& i : begin["need"]) {
      const ChunkRef& c = manifest.chunks[i.get<size_t>()];
      SYNCLINE_RETURN_IF_ERROR(src->ReadChunk("db", c.hash, &chunk));
      batch.Add(c.hash, chunk);
    }
    if (batch.chunk_count() > 0) {
      SYNCLINE_RETURN_IF_ERROR(receiver.HandleBinary("db", ProtoOp::kChunks, batch.bytes()).status());
    }
    return receiver.Handle("db", ProtoOp::kFileCommit,
                           {{"source", source}, {"item", ItemToJson(item)}, {"report", report}})
        .status();
  };

  int failed_runs = 0;
  for (int64_t n = 0;; ++n) {
    ASSERT_LT(n, 10000) << "the push never got through";
    fs.FailAt(n);
    Status s = push();
    bool injected = fs.failed();
    fs.Heal();
    if (s.ok()) {
      EXPECT_FALSE(injected);
      break;
    }
    ++failed_runs;
    auto current = testing::ReadTestFile(dst.get(), "db", "f");
    ASSERT_TRUE(current.ok()) << current.status().ToString() << " " << "after failing call " << n;
    ASSERT_TRUE(*current == v1) << "after failing call " << n;
  }
  EXPECT_GT(failed_runs, 2);
  auto final_content = testing::ReadTestFile(dst.get(), "db", "f");
  ASSERT_OK(final_content);
  EXPECT_TRUE(*final_content == v2);
}

}  // namespace
}  // namespace syncline
