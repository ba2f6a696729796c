// The outbox decision functions, as tables.
#include "client/outbox_rules.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

using K = CoalesceStep::Kind;

TEST(OutboxRulesTest, CoalesceTable) {
  struct Case {
    const char* name;
    const char* last_op;     // "" : no row waits
    const char* last_state;
    LocalWrite write;
    bool doc_exists;
    int64_t doc_etag;
    K kind;
    const char* op;
    int64_t base;
  };
  const LocalWrite put = LocalWrite::kPut, rm = LocalWrite::kRemove;
  const Case cases[] = {
      {"new document", "", "", put, false, 0, K::kInsert, "create", 0},
      {"edit of a synced document", "", "", put, true, 7, K::kInsert, "update", 7},
      {"edit of a never-synced one with no row", "", "", put, true, 0, K::kInsert, "create", 0},
      {"remove of a synced document", "", "", rm, true, 7, K::kInsert, "delete", 7},
      {"remove of a local-only document", "", "", rm, true, 0, K::kNothing, "", 0},
      {"remove of nothing", "", "", rm, false, 0, K::kNotFound, "", 0},
      {"create then update is one create", "create", "pending", put, true, 0, K::kRewrite,
       "create", 0},
      {"create then delete is nothing", "create", "pending", rm, true, 0, K::kDrop, "", 0},
      {"update then update", "update", "pending", put, true, 7, K::kRewrite, "update", 0},
      {"update then delete", "update", "pending", rm, true, 7, K::kRewrite, "delete", 0},
      {"delete then put is an update", "delete", "pending", put, false, 0, K::kRewrite, "update",
       0},
      {"delete then delete", "delete", "pending", rm, false, 0, K::kNotFound, "", 0},
      {"a failed create takes the next edit", "create", "failed", put, true, 0, K::kRewrite,
       "create", 0},
      {"a failed update then remove", "update", "failed", rm, true, 3, K::kRewrite, "delete", 0},
      {"after a sent create, an update waits", "create", "sent", put, true, 0, K::kInsert,
       "update", -1},
      {"after a sent update, a delete waits", "update", "sent", rm, true, 7, K::kInsert, "delete",
       -1},
      {"after a sent delete, a put is a create", "delete", "sent", put, false, 0, K::kInsert,
       "create", -1},
      {"after a sent delete, remove of nothing", "delete", "sent", rm, false, 0, K::kNotFound,
       "", 0},
  };
  for (const Case& c : cases) {
    std::optional<OutboxRowView> last;
    if (*c.last_op) last = OutboxRowView{c.last_op, c.last_state};
    CoalesceStep step = Coalesce(last, c.write, c.doc_exists, c.doc_etag);
    EXPECT_EQ(step.kind, c.kind) << c.name;
    EXPECT_EQ(step.op, c.op) << c.name;
    if (c.kind == K::kInsert) {
      EXPECT_EQ(step.base_etag, c.base) << c.name;
    }
  }
}

TEST(OutboxRulesTest, ResolvedTable) {
  using R = ResolvedStep::Kind;
  const nlohmann::json a = {{"v", 1}}, b = {{"v", 2}};
  struct Case {
    const char* name;
    MaybeDocument resolved, server;
    R kind;
    const char* op;
  };
  const Case cases[] = {
      {"the server's document", a, a, R::kTakeServer, ""},
      {"both deleted", std::nullopt, std::nullopt, R::kTakeServer, ""},
      {"another document", b, a, R::kSend, "update"},
      {"deleted against a live one", std::nullopt, a, R::kSend, "delete"},
      {"a document against a deleted one", a, std::nullopt, R::kSend, "create"},
  };
  for (const Case& c : cases) {
    ResolvedStep step = DecideResolved(c.resolved, c.server);
    EXPECT_EQ(step.kind, c.kind) << c.name;
    EXPECT_EQ(step.op, c.op) << c.name;
  }
}

TEST(OutboxRulesTest, IncomingTable) {
  struct Case {
    const char* first_state;
    bool gone;
    IncomingStep step;
  };
  const Case cases[] = {
      {"", false, IncomingStep::kApply},       {"", true, IncomingStep::kApply},
      {"pending", false, IncomingStep::kResolve}, {"pending", true, IncomingStep::kSkip},
      {"sent", false, IncomingStep::kSkip},    {"failed", false, IncomingStep::kSkip},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecideIncoming(c.first_state, c.gone), c.step)
        << "'" << c.first_state << "' gone=" << c.gone;
  }
}

}  // namespace
}  // namespace syncline
