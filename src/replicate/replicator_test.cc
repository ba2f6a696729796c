// The replicator's schedule on a ManualClock: the periodic run and the backoff of a failing
// destination happen when the clock says, with no test sleeping for them.
#include "replicate/replicator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/loopback_remote.h"
#include "testing/manual_clock.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

constexpr int64_t kSec = 1'000'000;

class ReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(src_dir_, "db", &src_));
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dst_dir_, "db", &dst_));
    receiver_ = std::make_unique<Receiver>(dst_.get(), &clock_, 600 * kSec);
    env_ = testing::EnvWith(Env::Default()->fs, &clock_);
    ReplicatorOptions o;
    o.period_micros = 600 * kSec;
    replicator_ = std::make_unique<Replicator>(
        src_.get(), &env_, "http://src",
        [this](const Destination&) {
          return std::make_unique<testing::LoopbackRemote>(
              receiver_.get(), "db", [this](ProtoOp op, const Json&) -> std::optional<Result<Json>> {
                if (op == ProtoOp::kLastEtag) ++runs_;  // each run starts with it
                if (failure_.ok()) return std::nullopt;
                return Result<Json>(failure_);
              });
        },
        o);
    Destination d;
    d.url = "http://dst";
    d.remote_db = "db";
    ASSERT_OK(PutDestination(src_.get(), "db", d));
  }
  void TearDown() override { replicator_->Stop(); }

  // Waits (in real time, bounded) for the n-th run to have started and finished.
  bool WaitForRuns(int n) {
    return testing::WaitUntil(
        [&] { return runs_ >= n && replicator_->StateOf("db", "http://dst").state != "running"; }, 30);
  }
  std::string State() { return replicator_->StateOf("db", "http://dst").state; }

  testing::ManualClock clock_;
  Env env_;
  testing::TempDir src_dir_, dst_dir_;
  std::unique_ptr<Store> src_, dst_;
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<Replicator> replicator_;
  std::atomic<int> runs_{0};
  Status failure_;  // set only while the worker is idle or waiting
};

TEST_F(ReplicatorTest, ThePeriodicRunComesWhenTheClockSaysSo) {
  replicator_->Start();
  ASSERT_TRUE(WaitForRuns(1)) << "the first run at start";
  EXPECT_EQ(State(), "idle");
  clock_.Advance(600 * kSec);
  ASSERT_TRUE(WaitForRuns(2)) << "the periodic run";
  EXPECT_EQ(runs_.load(), 2);
  clock_.Advance(600 * kSec);
  ASSERT_TRUE(WaitForRuns(3));
}

TEST_F(ReplicatorTest, AFailingDestinationIsRetriedAfterItsBackoff) {
  failure_ = Status::Unavailable("down");
  replicator_->Start();
  ASSERT_TRUE(WaitForRuns(1));
  EXPECT_EQ(State(), "backoff");
  Destination d = *GetDestination(src_.get(), "db", "http://dst");
  EXPECT_EQ(d.last_error.code(), Status::Code::kUnavailable);
  EXPECT_EQ(d.next_retry_at, clock_.NowMicros() + 1 * kSec) << "1 s for the first transient failure";
  clock_.Advance(1 * kSec);
  ASSERT_TRUE(WaitForRuns(2));
  EXPECT_EQ(GetDestination(src_.get(), "db", "http://dst")->next_retry_at,
            clock_.NowMicros() + 2 * kSec) << "then doubled";
  // A peer that breaks the protocol waits at least a minute.
  failure_ = Status::ProtocolError("garbage");
  clock_.Advance(2 * kSec);
  ASSERT_TRUE(WaitForRuns(3));
  EXPECT_EQ(GetDestination(src_.get(), "db", "http://dst")->next_retry_at,
            clock_.NowMicros() + 60 * kSec);
  // Healed: the retry succeeds and the worker is idle again.
  failure_ = Status::OK();
  clock_.Advance(60 * kSec);
  ASSERT_TRUE(WaitForRuns(4));
  EXPECT_EQ(State(), "idle");
  EXPECT_TRUE(GetDestination(src_.get(), "db", "http://dst")->last_error.ok());
}

}  // namespace
}  // namespace syncline
