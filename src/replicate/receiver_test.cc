// The Receiver against a hostile source (issue 7): every malformed request, made by breaking
// one field of a valid request at a time, is refused with a 4xx-class Status and changes
// nothing; binary bodies of garbage are refused; valid requests still work afterwards.
#include "replicate/receiver.h"

#include <gtest/gtest.h>

#include "chunk/file_writer.h"
#include "replicate/chunk_batch.h"
#include "replicate/protocol.h"
#include "sync/item_json.h"
#include "sync/local_writer.h"
#include "testing/manual_clock.h"
#include "testing/test_util.h"
#include "util/json_reader.h"

namespace syncline {
namespace {

class ReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(src_dir_, "db", &src_));
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dst_dir_, "db", &dst_));
    receiver_ = std::make_unique<Receiver>(dst_.get(), Env::Default()->clock, 600000000);
    auto w = FileWriter::Open(src_.get(), "db");
    ASSERT_OK(w);
    ASSERT_OK((*w)->Append(testing::RandomBytes(100000, 1)));
    auto content = (*w)->Finish();
    ASSERT_OK(content);
    LocalWriter writer(src_.get(), Env::Default()->clock);
    ASSERT_OK(writer.CommitFile("db", "f", *content, R"({"a":"b"})", std::nullopt));
    ASSERT_OK(writer.PutDocument("db", {"c", "k", R"({"v":1})", std::nullopt}));
    file_ = *src_->GetItem("db", ItemKind::kFile, "", "f");
    doc_ = *src_->GetItem("db", ItemKind::kDocument, "c", "k");
  }

  Json Source() const { return {{"node_id", "node-src"}, {"db", "db"}, {"url", "http://src"}}; }
  Json Report(const Item& i) const {
    return {{"name", i.key}, {"type", "content-update"}, {"etag", i.etag}};
  }

  // A valid request for each JSON operation.
  std::vector<std::pair<ProtoOp, Json>> ValidRequests() const {
    Item tomb = file_;
    tomb.deleted = true;
    return {
        {ProtoOp::kLastEtag, {{"source", Source()}}},
        {ProtoOp::kSetLastEtag, {{"source", Source()}, {"last_etag", 1}}},
        {ProtoOp::kState, {{"items", {ItemRefToJson(file_.ref()), ItemRefToJson(doc_.ref())}}}},
        {ProtoOp::kApplyDocs, {{"source", Source()}, {"destination_url", "http://dst"},
                               {"items", {{{"item", ItemToJson(doc_)}, {"etag", doc_.etag}}}}}},
        {ProtoOp::kFileBegin, {{"source", Source()}, {"type", "content-update"},
                               {"item", ItemToJson(file_)}, {"report", Report(file_)}}},
        {ProtoOp::kFileCommit, {{"source", Source()}, {"item", ItemToJson(file_)},
                                {"report", Report(file_)}}},
        {ProtoOp::kFileAbort, {{"source", Source()}, {"item", ItemRefToJson(file_.ref())}}},
        {ProtoOp::kRename, {{"source", Source()}, {"from", ItemToJson(tomb)},
                            {"to", ItemToJson(file_)}, {"report", Report(file_)}}},
        {ProtoOp::kFilesBegin, {{"source", Source()},
                                {"items", {{{"type", "content-update"}, {"item", ItemToJson(file_)},
                                            {"report", Report(file_)}}}}}},
        {ProtoOp::kFilesCommit, {{"source", Source()},
                                 {"items", {{{"item", ItemToJson(file_)}, {"report", Report(file_)}}}},
                                 {"abort", {ItemRefToJson(file_.ref())}}}},
    };
  }

  // What a refused request must leave as it was: items, reports, conflicts, locks, watermark.
  std::string Snapshot() {
    std::string s = std::to_string(dst_->GetDatabase("db")->last_etag) + "|";
    for (ReportDirection dir : {ReportDirection::kOutgoing, ReportDirection::kIncoming}) {
      auto page = dst_->ListReports("db", dir, 0, 1000);
      EXPECT_OK(page);
      if (page.ok()) {
        for (const auto& r : page->reports) s += r.ref.key + "@" + std::to_string(r.finished_at) + ";";
      }
    }
    auto conflicts = dst_->ListConflicts("db", nullptr, 1000);
    EXPECT_OK(conflicts);
    if (conflicts.ok()) s += "conflicts=" + std::to_string(conflicts->size()) + ";";
    Status locked = dst_->Write("db", [&](WriteTransaction& txn) -> Status {
      for (const Item* i : {&file_, &doc_}) {
        SYNCLINE_ASSIGN_OR_RETURN(auto lock, txn.GetLock(i->ref()));
        if (lock) s += "lock:" + lock->owner + "@" + std::to_string(lock->expires_at) + ";";
      }
      return Status::OK();
    });
    EXPECT_OK(locked);
    s += "watermark=" + std::to_string(*dst_->GetSourceEtag("db", "node-src", "db"));
    return s;
  }

  testing::TempDir src_dir_, dst_dir_;
  std::unique_ptr<Store> src_, dst_;
  std::unique_ptr<Receiver> receiver_;
  Item file_, doc_;
};

// Every way to break one field: remove it, or give it a value of each wrong kind.
std::vector<Json> Breakages(const Json& request) {
  const Json wrong[] = {Json(), Json("x"), Json(""), Json(-1), Json(1.5), Json(true),
                        Json::array(), Json::object(), Json(UINT64_MAX),
                        Json(std::string(2000, 'a')), Json::array({1, "two", nullptr})};
  std::vector<Json> out;
  std::function<void(Json&, const std::function<void()>&)> walk;
  // Visits every field of every object, at any depth, breaking one at a time.
  walk = [&](Json& node, const std::function<void()>& emit) {
    if (node.is_object()) {
      for (auto& [key, value] : node.items()) {
        Json saved = value;
        for (const Json& w : wrong) {
          value = w;
          emit();
        }
        value = saved;
        walk(value, emit);
      }
      std::vector<std::string> keys;
      for (auto& [key, value] : node.items()) keys.push_back(key);
      for (const auto& key : keys) {
        Json saved = node[key];
        node.erase(key);
        emit();
        node[key] = saved;
      }
    } else if (node.is_array()) {
      for (Json& e : node) walk(e, emit);
    }
  };
  Json copy = request;
  walk(copy, [&] { out.push_back(copy); });
  return out;
}

TEST_F(ReceiverTest, EveryBrokenFieldIsRefusedAndChangesNothing) {
  int refused = 0, accepted = 0;
  for (const auto& [op, valid] : ValidRequests()) {
    for (const Json& bad : Breakages(valid)) {
      std::string before = Snapshot();
      Result<Json> r = receiver_->Handle("db", op, bad);
      if (r.ok()) {
        ++accepted;  // some breakages are still valid (an optional field, another etag)
        continue;
      }
      ++refused;
      Status::Code c = r.status().code();
      EXPECT_TRUE(c == Status::Code::kInvalidArgument || c == Status::Code::kPreconditionFailed ||
                  c == Status::Code::kNotFound)
          << ProtoOpName(op) << " " << bad.dump().substr(0, 300) << ": " << r.status().ToString();
      EXPECT_EQ(Snapshot(), before) << ProtoOpName(op) << " " << bad.dump().substr(0, 300);
    }
  }
  EXPECT_GT(refused, 300);
  // Not a request at all.
  for (const Json& j : {Json(), Json::array(), Json("x"), Json(7)}) {
    EXPECT_EQ(receiver_->Handle("db", ProtoOp::kFileBegin, j).status().code(),
              Status::Code::kInvalidArgument);
  }
  // A JSON operation given to the binary handler and back.
  EXPECT_FALSE(receiver_->Handle("db", ProtoOp::kChunks, Json::object()).ok());
  EXPECT_FALSE(receiver_->HandleBinary("db", ProtoOp::kFileBegin, "").ok());
  (void)accepted;
}

TEST_F(ReceiverTest, GarbageBinaryBodiesAreRefusedAndStoreNothing) {
  std::string before = Snapshot();
  for (const std::string& body : {std::string("garbage"), std::string(1, '\0'),
                                  std::string(100, '\xff'), testing::RandomBytes(5000, 9)}) {
    for (ProtoOp op : {ProtoOp::kChunks, ProtoOp::kChunkRecipes}) {
      Result<Json> r = receiver_->HandleBinary("db", op, body);
      EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << ProtoOpName(op);
    }
  }
  EXPECT_EQ(Snapshot(), before);
  // And a valid sync still goes through: begin, chunks, commit.
  auto begin = receiver_->Handle("db", ProtoOp::kFileBegin, ValidRequests()[4].second);
  ASSERT_OK(begin);
  ASSERT_EQ((*begin)["outcome"], "proceed");
  Manifest m = *Manifest::Decode(file_.manifest);
  ChunkBatchWriter batch;
  std::string chunk;
  for (const Json& i : (*begin)["need"]) {
    const ChunkRef& c = m.chunks[i.get<size_t>()];
    ASSERT_OK(src_->ReadChunk("db", c.hash, &chunk, Store::ChunkCheck::kVerify));
    batch.Add(c.hash, chunk);
  }
  ASSERT_OK(receiver_->HandleBinary("db", ProtoOp::kChunks, batch.bytes()));
  auto commit = receiver_->Handle("db", ProtoOp::kFileCommit, ValidRequests()[5].second);
  ASSERT_OK(commit);
  EXPECT_EQ((*commit)["outcome"], "applied");
  EXPECT_EQ(dst_->GetItem("db", ItemKind::kFile, "", "f")->content_hash, file_.content_hash);
}

// A batch of files (files-begin, chunks, files-commit): one transaction each; a file locked by
// another source, or whose chunks have not all arrived, fails alone; an abort frees its lock.
TEST_F(ReceiverTest, FileBatchesRefuseFilesOneByOne) {
  LocalWriter writer(src_.get(), Env::Default()->clock);
  std::vector<Item> files;
  for (int i = 0; i < 3; ++i) {
    auto w = FileWriter::Open(src_.get(), "db");
    ASSERT_OK(w);
    ASSERT_OK((*w)->Append(testing::RandomBytes(5000, 10 + i)));
    auto content = (*w)->Finish();
    ASSERT_OK(content);
    std::string key = "batch" + std::to_string(i);
    ASSERT_OK(writer.CommitFile("db", key, *content, "{}", std::nullopt));
    files.push_back(*src_->GetItem("db", ItemKind::kFile, "", key));
  }
  auto begin_one = [&](const std::string& node, const Item& f) {
    Json req = {{"source", Source()}, {"type", "content-update"}, {"item", ItemToJson(f)},
                {"report", Report(f)}};
    req["source"]["node_id"] = node;
    return receiver_->Handle("db", ProtoOp::kFileBegin, req);
  };
  ASSERT_OK(begin_one("node-other", files[1]));  // another source holds batch1
  Json items = Json::array();
  for (const Item& f : files) {
    items.push_back({{"type", "content-update"}, {"item", ItemToJson(f)}, {"report", Report(f)}});
  }
  auto begun = receiver_->Handle("db", ProtoOp::kFilesBegin, {{"source", Source()}, {"items", items}});
  ASSERT_OK(begun);
  auto results = DecodeFilesBeginReply(*begun, {1, 1, 1});
  ASSERT_OK(results);
  ASSERT_TRUE((*results)[0].reply);
  EXPECT_EQ((*results)[0].reply->outcome, ProtoOutcome::kProceed);
  EXPECT_EQ((*results)[0].reply->need, (std::vector<size_t>{0}));
  EXPECT_FALSE((*results)[1].reply);
  EXPECT_EQ((*results)[1].error.code(), Status::Code::kPreconditionFailed) << "locked by another";
  ASSERT_TRUE((*results)[2].reply);
  EXPECT_EQ((*results)[2].reply->outcome, ProtoOutcome::kProceed);

  // Only batch0's chunk arrives; the commit of batch0 and batch2 applies the first alone.
  ChunkBatchWriter batch;
  std::string chunk;
  const ChunkRef c = Manifest::Decode(files[0].manifest)->chunks[0];
  ASSERT_OK(src_->ReadChunk("db", c.hash, &chunk, Store::ChunkCheck::kVerify));
  batch.Add(c.hash, chunk);
  ASSERT_OK(receiver_->HandleBinary("db", ProtoOp::kChunks, batch.bytes()));
  Json commits = Json::array();
  for (int i : {0, 2}) commits.push_back({{"item", ItemToJson(files[i])}, {"report", Report(files[i])}});
  auto committed = receiver_->Handle("db", ProtoOp::kFilesCommit, {{"source", Source()}, {"items", commits}});
  ASSERT_OK(committed);
  auto outcomes = DecodeFilesCommitReply(*committed, 2);
  ASSERT_OK(outcomes);
  EXPECT_EQ((*outcomes)[0].outcome, ProtoOutcome::kApplied);
  EXPECT_FALSE((*outcomes)[1].outcome);
  EXPECT_EQ((*outcomes)[1].error.code(), Status::Code::kPreconditionFailed) << "its chunk is missing";
  EXPECT_EQ(dst_->GetItem("db", ItemKind::kFile, "", "batch0")->content_hash, files[0].content_hash);
  EXPECT_TRUE(dst_->GetItem("db", ItemKind::kFile, "", "batch2").status().IsNotFound());

  // batch2 is still locked by node-src, until the source gives it up.
  EXPECT_EQ(begin_one("node-other", files[2]).status().code(), Status::Code::kPreconditionFailed);
  ASSERT_OK(receiver_->Handle("db", ProtoOp::kFilesCommit,
                              {{"source", Source()}, {"items", Json::array()},
                               {"abort", {ItemRefToJson(files[2].ref())}}}));
  EXPECT_OK(begin_one("node-other", files[2]));

  // A file twice in one batch, or too many files, is a malformed request: nothing happens.
  std::string before = Snapshot();
  Json twice = {items[0], items[0]};
  EXPECT_EQ(receiver_->Handle("db", ProtoOp::kFilesBegin, {{"source", Source()}, {"items", twice}})
                .status().code(),
            Status::Code::kInvalidArgument);
  Json many = Json::array();
  for (size_t i = 0; i <= kMaxFileBatchItems; ++i) many.push_back(items[0]);
  EXPECT_EQ(receiver_->Handle("db", ProtoOp::kFilesBegin, {{"source", Source()}, {"items", many}})
                .status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(Snapshot(), before);
}

// Lock timeouts on a ManualClock: a lock left by a source that went away blocks every other
// source until it expires, and not a moment longer; no test sleeps for it.
TEST_F(ReceiverTest, AnAbandonedLockExpiresOnTheClock) {
  testing::ManualClock clock;
  Receiver receiver(dst_.get(), &clock, /*lock_timeout_micros=*/60'000'000);
  auto begin = [&](const std::string& node) {
    Json req = ValidRequests()[4].second;
    req["source"]["node_id"] = node;
    return receiver.Handle("db", ProtoOp::kFileBegin, req);
  };
  ASSERT_OK(begin("node-a"));  // takes the lock, then goes away
  EXPECT_EQ(begin("node-b").status().code(), Status::Code::kPreconditionFailed);
  clock.Advance(59'000'000);
  EXPECT_EQ(begin("node-b").status().code(), Status::Code::kPreconditionFailed);
  clock.Advance(1'000'001);
  EXPECT_OK(begin("node-b"));
  EXPECT_EQ(begin("node-a").status().code(), Status::Code::kPreconditionFailed) << "b holds it now";
}

// A followed collection takes its master's changes only: a server-to-server sync's document
// for it fails alone (the source keeps it pending and reports it), the rest of the batch
// applies.
TEST_F(ReceiverTest, DocumentsOfAFollowedCollectionAreRefusedOneByOne) {
  ASSERT_OK(dst_->Write("db", [&](WriteTransaction& txn) {
    return txn.PutFollower({"c", "http://master", "db", "key", 0, 0});
  }));
  LocalWriter writer(src_.get(), Env::Default()->clock);
  ASSERT_OK(writer.PutDocument("db", {"other", "k", R"({"v":2})", std::nullopt}));
  Item other = *src_->GetItem("db", ItemKind::kDocument, "other", "k");
  Json req = {{"source", Source()}, {"destination_url", "http://dst"},
              {"items", {{{"item", ItemToJson(doc_)}, {"etag", doc_.etag}},
                         {{"item", ItemToJson(other)}, {"etag", other.etag}}}}};
  auto answer = receiver_->Handle("db", ProtoOp::kApplyDocs, req);
  ASSERT_OK(answer);
  auto results = JsonArrayField(*answer, "results");
  ASSERT_OK(results);
  ASSERT_EQ((*results)->size(), 2u) << answer->dump();
  auto refused = JsonString((**results)[0], "error");
  auto applied = JsonString((**results)[1], "outcome");
  ASSERT_OK(refused);
  ASSERT_OK(applied);
  EXPECT_EQ(*refused, "conflicted") << answer->dump();
  EXPECT_EQ(*applied, "applied") << answer->dump();
  EXPECT_TRUE(dst_->GetItem("db", ItemKind::kDocument, "c", "k").status().IsNotFound());
  EXPECT_OK(dst_->GetItem("db", ItemKind::kDocument, "other", "k"));
}

}  // namespace
}  // namespace syncline
