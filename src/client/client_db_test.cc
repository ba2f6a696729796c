// The offline store: local writes and their outbox, a batch and its answer, a page applied.
#include "client/client_db.h"

#include <gtest/gtest.h>

#include <thread>

#include "testing/test_util.h"

namespace syncline {
namespace {

using testing::TempDir;

class ClientDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<ClientDb>> db = ClientDb::Open(dir_.Sub("client.db"), Env::Default());
    ASSERT_OK(db);
    db_ = std::move(*db);
  }
  std::vector<PendingOperation> Pending() {
    Result<std::vector<PendingOperation>> p = db_->Pending("");
    EXPECT_OK(p);
    return p.ok() ? *p : std::vector<PendingOperation>{};
  }
  PushResult Applied(const PendingOperation& op, int64_t etag) {
    PushResult r;
    r.op_id = op.op_id;
    r.kind = PushResult::Kind::kApplied;
    r.etag = etag;
    return r;
  }

  TempDir dir_;
  std::unique_ptr<ClientDb> db_;
  Resolver server_wins_ = Resolver::ServerWins();
};

TEST_F(ClientDbTest, LocalWritesWorkOfflineAndCoalesce) {
  ASSERT_OK(db_->Put("notes", "a", {{"t", 1}}));
  ASSERT_OK(db_->Put("notes", "a", {{"t", 2}}));
  ASSERT_OK(db_->Put("notes", "b", {{"t", 3}}));
  ASSERT_OK(db_->Remove("notes", "b"));
  EXPECT_EQ(*db_->Get("notes", "a"), nlohmann::json({{"t", 2}}));
  EXPECT_EQ(db_->Get("notes", "b").status().code(), Status::Code::kNotFound);
  std::vector<PendingOperation> p = Pending();
  ASSERT_EQ(p.size(), 1u);  // create+update of a is one create; create+delete of b is nothing
  EXPECT_EQ(p[0].op, "create");
  EXPECT_EQ(*p[0].document, nlohmann::json({{"t", 2}}));
  EXPECT_TRUE(*db_->IsPending("notes", "a"));
  EXPECT_FALSE(*db_->IsPending("notes", "b"));
  EXPECT_EQ(db_->Remove("notes", "zz").code(), Status::Code::kNotFound);
  EXPECT_EQ(db_->Put("notes", "x", nlohmann::json::array()).code(),
            Status::Code::kInvalidArgument);
  // Names the server would refuse never reach the outbox.
  EXPECT_EQ(db_->Put("notes", "../x", {{"t", 1}}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(db_->Put("_system", "x", {{"t", 1}}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Pending().size(), 1u);  // refused writes changed nothing
}

TEST_F(ClientDbTest, FindRunsTheFilterLanguageLocally) {
  ASSERT_OK(db_->Put("n", "1", {{"tag", "a"}, {"n", 1}}));
  ASSERT_OK(db_->Put("n", "2", {{"tag", "b"}, {"n", 2}}));
  ASSERT_OK(db_->Put("n", "3", {{"tag", "a"}, {"n", 3}}));
  auto found = db_->Find("n", {{"tag", "a"}, {"n", {{"$gte", 2}}}}, 0, "");
  ASSERT_OK(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].first, "3");
  EXPECT_EQ(db_->Find("n", {{"n", {{"$bogus", 1}}}}, 0, "").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(db_->Find("n", nullptr, 2, "")->size(), 2u);
  EXPECT_EQ(*db_->Count("n"), 3);
}

TEST_F(ClientDbTest, ABatchIsMarkedSentAndItsAnswerClearsIt) {
  ASSERT_OK(db_->Put("n", "a", {{"v", 1}}));
  auto batch = db_->TakeBatch("n", 100, 1, nullptr);
  ASSERT_OK(batch);
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ(Pending()[0].state, "sent");
  // An edit while the create is on its way waits behind it.
  ASSERT_OK(db_->Put("n", "a", {{"v", 2}}));
  ASSERT_EQ(Pending().size(), 2u);
  EXPECT_EQ(Pending()[1].base_etag, -1);
  EXPECT_TRUE(db_->TakeBatch("n", 100, 1, nullptr)->size() == 1u);  // the sent one, again
  auto out = db_->ApplyPushResults(*batch, {Applied((*batch)[0], 5)}, server_wins_, {}, 1);
  ASSERT_OK(out);
  EXPECT_EQ(out->applied, 1);
  std::vector<PendingOperation> p = Pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].op, "update");  // the create is on the server now
  EXPECT_EQ(p[0].base_etag, 5);
  auto second = db_->TakeBatch("n", 100, 1, nullptr);
  ASSERT_EQ(second->size(), 1u);
  ASSERT_OK(db_->ApplyPushResults(*second, {Applied((*second)[0], 6)}, server_wins_, {}, 1));
  EXPECT_TRUE(Pending().empty());
  // The next local edit is based on etag 6.
  ASSERT_OK(db_->Put("n", "a", {{"v", 3}}));
  EXPECT_EQ(Pending()[0].op, "update");
  EXPECT_EQ(Pending()[0].base_etag, 6);
}

TEST_F(ClientDbTest, AConflictIsResolvedAndSentAgainBasedOnTheServer) {
  ASSERT_OK(db_->Put("n", "a", {{"v", 1}}));
  auto batch = db_->TakeBatch("n", 100, 1, nullptr);
  PushResult conflict;
  conflict.op_id = (*batch)[0].op_id;
  conflict.kind = PushResult::Kind::kConflict;
  conflict.server_etag = 9;
  conflict.server_document = nlohmann::json({{"v", 0}});
  auto out = db_->ApplyPushResults(*batch, {conflict}, Resolver::ClientWins(), {}, 1);
  ASSERT_OK(out);
  EXPECT_EQ(out->conflicts, 1);
  std::vector<PendingOperation> p = Pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].op, "update");
  EXPECT_EQ(p[0].base_etag, 9);
  EXPECT_EQ(p[0].state, "pending");
  EXPECT_NE(p[0].op_id, (*batch)[0].op_id);
  // Server wins instead: the row goes and the server's document is kept.
  batch = db_->TakeBatch("n", 100, 1, nullptr);
  conflict.op_id = (*batch)[0].op_id;
  ASSERT_OK(db_->ApplyPushResults(*batch, {conflict}, server_wins_, {}, 1));
  EXPECT_TRUE(Pending().empty());
  EXPECT_EQ(*db_->Get("n", "a"), nlohmann::json({{"v", 0}}));
}

TEST_F(ClientDbTest, ErrorsStayFailedUntilHandled) {
  ASSERT_OK(db_->Put("n", "a", {{"v", 1}}));
  ASSERT_OK(db_->Put("n", "b", {{"v", 1}}));
  auto batch = db_->TakeBatch("n", 100, 1, nullptr);
  ASSERT_EQ(batch->size(), 2u);
  std::vector<PushResult> results(2);
  for (int i = 0; i < 2; ++i) {
    results[i].op_id = (*batch)[i].op_id;
    results[i].kind = PushResult::Kind::kError;
    results[i].error = "create-error";
    results[i].code = "validation_failed";
    results[i].message = "field 'title' is required";
  }
  auto out = db_->ApplyPushResults(*batch, results, server_wins_, {}, 1);
  ASSERT_OK(out);
  ASSERT_EQ(out->failed.size(), 2u);
  EXPECT_TRUE(db_->TakeBatch("n", 100, 2, nullptr)->empty());  // failed ones wait
  std::vector<PendingOperation> p = Pending();
  EXPECT_EQ(p[0].state, "failed");
  EXPECT_EQ(p[0].code, "validation_failed");
  EXPECT_EQ(db_->Handle(p[0].op_id, FailureAction::kRollback, 0).code(),
            Status::Code::kInvalidArgument);
  ASSERT_OK(db_->Handle(p[0].op_id, FailureAction::kDelete, 0));
  EXPECT_EQ(db_->Get("n", "a").status().code(), Status::Code::kNotFound);
  ASSERT_OK(db_->Handle(p[1].op_id, FailureAction::kRecreate, 0));
  auto again = db_->TakeBatch("n", 100, 2, nullptr);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].op, "create");
  EXPECT_EQ((*again)[0].key, "b");
  EXPECT_EQ(db_->Handle("nope", FailureAction::kRetry, 0).code(), Status::Code::kNotFound);
}

TEST_F(ClientDbTest, AutomaticRetryWaitsForTheNextSync) {
  ASSERT_OK(db_->Put("n", "a", {{"v", 1}}));
  auto batch = db_->TakeBatch("n", 100, 4, nullptr);
  PushResult r;
  r.op_id = (*batch)[0].op_id;
  r.kind = PushResult::Kind::kError;
  r.error = "create-error";
  FailureHandlers h;
  h.create = FailureAction::kRecreate;
  ASSERT_OK(db_->ApplyPushResults(*batch, {r}, server_wins_, h, 4));
  EXPECT_TRUE(db_->TakeBatch("n", 100, 4, nullptr)->empty());
  EXPECT_EQ(db_->TakeBatch("n", 100, 5, nullptr)->size(), 1u);
}

TEST_F(ClientDbTest, APageMovesTheCursorWithItAndResolvesWaitingChanges) {
  ASSERT_OK(db_->Put("n", "mine", {{"v", "local"}}));  // never sent
  PullPage page;
  page.cursor = "c1";
  page.changes.push_back({"x", 3, ServerChange::Op::kPut, {{"v", 1}}});
  page.changes.push_back({"mine", 4, ServerChange::Op::kPut, {{"v", "server"}}});
  page.changes.push_back({"gone-missing", 5, ServerChange::Op::kDelete, nullptr});
  auto out = db_->ApplyPage("n", page, Resolver::ClientWins(), 1);
  ASSERT_OK(out);
  EXPECT_EQ(out->applied, 1);
  EXPECT_EQ(out->conflicts, 1);
  EXPECT_EQ(db_->GetCursor("n")->cursor, "c1");
  EXPECT_EQ(*db_->Get("n", "x"), nlohmann::json({{"v", 1}}));
  EXPECT_EQ(*db_->Get("n", "mine"), nlohmann::json({{"v", "local"}}));
  std::vector<PendingOperation> p = Pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].op, "update");  // the server has it now: the client's version goes on top
  EXPECT_EQ(p[0].base_etag, 4);
  // A delete from the server of an unchanged document removes it; the local edit of x is sent
  // based on etag 3.
  ASSERT_OK(db_->Put("n", "x", {{"v", 2}}));
  EXPECT_EQ(Pending()[1].base_etag, 3);
}

TEST_F(ClientDbTest, ResetKeepsPendingChangesAndDropsTheRest) {
  PullPage page;
  page.cursor = "c1";
  page.changes.push_back({"x", 3, ServerChange::Op::kPut, {{"v", 1}}});
  page.changes.push_back({"y", 4, ServerChange::Op::kPut, {{"v", 1}}});
  ASSERT_OK(db_->ApplyPage("n", page, server_wins_, 1));
  ASSERT_OK(db_->SetSetting("client_id", "abc"));
  ASSERT_OK(db_->Put("n", "y", {{"v", 2}}));
  ASSERT_OK(db_->ResetSyncState());
  EXPECT_EQ(*db_->GetSetting("client_id"), "");
  EXPECT_EQ(db_->GetCursor("n")->cursor, "");
  EXPECT_EQ(db_->Get("n", "x").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*db_->Get("n", "y"), nlohmann::json({{"v", 2}}));
  EXPECT_EQ(Pending().size(), 1u);
}

TEST_F(ClientDbTest, SurvivesReopenAndRefusesASecondOpener) {
  ASSERT_OK(db_->Put("n", "a", {{"v", 1}}));
  EXPECT_EQ(ClientDb::Open(dir_.Sub("client.db"), Env::Default()).status().code(),
            Status::Code::kUnavailable);
  db_.reset();
  auto db = ClientDb::Open(dir_.Sub("client.db"), Env::Default());
  ASSERT_OK(db);
  EXPECT_EQ(*(*db)->Get("n", "a"), nlohmann::json({{"v", 1}}));
  EXPECT_EQ((*db)->Pending("")->size(), 1u);
}

TEST_F(ClientDbTest, ManyThreadsWriteAtOnce) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_OK(db_->Put("n", std::to_string(t) + "-" + std::to_string(i), {{"i", i}}));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(*db_->Count("n"), 200);
  EXPECT_EQ(Pending().size(), 200u);
}

}  // namespace
}  // namespace syncline
