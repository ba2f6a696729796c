// Followers against an in-process master feed: they converge, survive failures of the master
// (showing the error and their lag meanwhile), resume from their checkpoint after a restart,
// and keep local writes out of a followed collection.
#include "replicate/collection_followers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "sync/local_writer.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

// The master's feed read straight from its store; Documents fails while `fail_documents`.
class StoreFeed : public MasterFeed {
 public:
  StoreFeed(Store* master, std::atomic<bool>* fail) : master_(master), fail_(fail) {}
  Result<ChangePage> Changes(int64_t since, int64_t limit, int) override {
    SYNCLINE_ASSIGN_OR_RETURN(ChangePage page, master_->ListChanges("db", since, limit));
    SYNCLINE_ASSIGN_OR_RETURN(DatabaseInfo info, master_->GetDatabase("db"));
    page.last_etag = info.last_etag;
    // A long-poll that found nothing waits a little, as the real one does.
    if (page.changes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return page;
  }
  Result<std::vector<Item>> Documents(const std::string& collection,
                                      const std::vector<std::string>& keys) override {
    if (*fail_) return Status::Unavailable("the master is away");
    SYNCLINE_ASSIGN_OR_RETURN(auto snap, master_->OpenSnapshot("db"));
    return snap->Documents(collection, keys);
  }

 private:
  Store* master_;
  std::atomic<bool>* fail_;
};

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(master_dir_, "db", &master_));
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(replica_dir_, "db", &replica_));
    NewFollowers();
  }
  void NewFollowers() {
    FollowerOptions o;
    o.min_backoff_micros = 5000;
    o.max_backoff_micros = 20000;
    o.page_size = 7;  // several pages per burst of changes
    followers_ = std::make_unique<CollectionFollowers>(
        replica_.get(), Env::Default(),
        [this](const FollowerRecord&, const std::atomic<bool>*) -> Result<std::unique_ptr<MasterFeed>> {
          return std::unique_ptr<MasterFeed>(std::make_unique<StoreFeed>(master_.get(), &fail_));
        },
        o);
  }
  Status Write(const std::string& key, const std::string& body, bool deleted = false) {
    LocalWriter writer(master_.get(), Env::Default()->clock);
    if (deleted) {
      return writer.Delete("db", ItemKind::kDocument, "c", key, Precondition(), false).status();
    }
    return writer.PutDocument("db", {"c", key, body, Precondition(), false}).status();
  }
  static std::map<std::string, std::string> Live(Store* s) {
    ListOptions o;
    o.collection = "c";
    o.limit = 100000;
    std::map<std::string, std::string> out;
    auto items = s->ListItems("db", o);
    EXPECT_TRUE(items.ok());
    if (!items.ok()) return out;
    for (const Item& i : *items) out[i.key] = i.version_vector + i.body;
    return out;
  }
  // Waits (on the replica's state, the signal) until `done` holds, or fails after a while.
  template <typename Fn>
  void WaitFor(Fn done, const char* what) {
    for (int i = 0; i < 2000; ++i) {
      if (done()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "never: " << what;
  }
  FollowerView View() {
    auto list = followers_->List("db");
    EXPECT_TRUE(list.ok());
    return list.ok() && !list->empty() ? (*list)[0] : FollowerView{};
  }

  testing::TempDir master_dir_, replica_dir_;
  std::unique_ptr<Store> master_, replica_;
  std::atomic<bool> fail_{false};
  std::unique_ptr<CollectionFollowers> followers_;
};

TEST_F(FollowerTest, ConvergesAndKeepsFollowing) {
  for (int i = 0; i < 20; ++i) ASSERT_OK(Write("k" + std::to_string(i), "{}"));
  ASSERT_OK(followers_->Follow("db", {"c", "http://master", "db", "key", 0, 1}));
  WaitFor([&] { return Live(replica_.get()) == Live(master_.get()); }, "converged");
  ASSERT_OK(Write("k3", R"({"x":1})"));
  ASSERT_OK(Write("k4", "", true));
  ASSERT_OK(Write("new", "{}"));
  WaitFor([&] { return Live(replica_.get()) == Live(master_.get()); }, "converged again");
  WaitFor([&] { return View().lag_etags == 0; }, "caught up");
  EXPECT_EQ(View().record.checkpoint_etag, master_->GetDatabase("db")->last_etag);
  EXPECT_EQ(View().record.master_key, "") << "never shown";
}

TEST_F(FollowerTest, AFailingMasterShowsTheErrorAndTheLagThenCatchesUp) {
  fail_ = true;
  for (int i = 0; i < 30; ++i) ASSERT_OK(Write("k" + std::to_string(i), "{}"));
  ASSERT_OK(followers_->Follow("db", {"c", "http://master", "db", "key", 0, 1}));
  WaitFor([&] { return View().state == "retrying"; }, "retrying");
  FollowerView v = View();
  EXPECT_EQ(v.error_code, "unavailable");
  EXPECT_EQ(v.lag_etags, 30);
  EXPECT_TRUE(Live(replica_.get()).empty());
  fail_ = false;
  WaitFor([&] { return Live(replica_.get()) == Live(master_.get()); }, "converged");
  WaitFor([&] { return View().lag_etags == 0 && View().state == "following"; }, "caught up");
  EXPECT_EQ(View().error_code, "");
}

TEST_F(FollowerTest, ResumesFromItsCheckpointAfterARestart) {
  for (int i = 0; i < 10; ++i) ASSERT_OK(Write("k" + std::to_string(i), "{}"));
  ASSERT_OK(followers_->Follow("db", {"c", "http://master", "db", "key", 0, 1}));
  WaitFor([&] { return Live(replica_.get()) == Live(master_.get()); }, "converged");
  followers_->Stop();
  followers_.reset();
  for (int i = 5; i < 15; ++i) ASSERT_OK(Write("k" + std::to_string(i), R"({"v":2})"));
  NewFollowers();
  ASSERT_OK(followers_->Start());
  WaitFor([&] { return Live(replica_.get()) == Live(master_.get()); }, "converged after restart");
}

TEST_F(FollowerTest, LocalWritesAreRefusedUntilUnfollowed) {
  ASSERT_OK(followers_->Follow("db", {"c", "http://master", "db", "key", 0, 1}));
  LocalWriter writer(replica_.get(), Env::Default()->clock);
  auto refused = writer.PutDocument("db", {"c", "mine", "{}", Precondition(), false});
  EXPECT_EQ(refused.status().code(), Status::Code::kConflicted);
  // Other collections take writes.
  EXPECT_OK(writer.PutDocument("db", {"other", "mine", "{}", Precondition(), false}).status());
  ASSERT_OK(followers_->Unfollow("db", "c"));
  EXPECT_OK(writer.PutDocument("db", {"c", "mine", "{}", Precondition(), false}).status());
  EXPECT_EQ(followers_->Unfollow("db", "c").code(), Status::Code::kNotFound);
  EXPECT_TRUE(followers_->List("db")->empty());
}

}  // namespace
}  // namespace syncline
