#include "client/outbox_rules.h"

namespace syncline {

CoalesceStep Coalesce(const std::optional<OutboxRowView>& last, LocalWrite write,
                      bool doc_exists, int64_t doc_etag) {
  using K = CoalesceStep::Kind;
  const bool put = write == LocalWrite::kPut;
  if (!put && !doc_exists) return {K::kNotFound, "", 0};
  if (!last) {
    if (put) return doc_etag > 0 ? CoalesceStep{K::kInsert, "update", doc_etag}
                                 : CoalesceStep{K::kInsert, "create", 0};
    return doc_etag > 0 ? CoalesceStep{K::kInsert, "delete", doc_etag}
                        : CoalesceStep{K::kNothing, "", 0};
  }
  if (last->state == "sent") {
    // The row is on its way and may already be applied: a new row follows it, its base etag
    // known only once the server answers.
    if (put) return {K::kInsert, last->op == "delete" ? "create" : "update", -1};
    return {K::kInsert, "delete", -1};
  }
  // A waiting (or failed) row takes the new write: the newest intent replaces the older one.
  if (put) return {K::kRewrite, last->op == "create" ? "create" : "update", 0};
  if (last->op == "create") return {K::kDrop, "", 0};
  return {K::kRewrite, "delete", 0};
}

ResolvedStep DecideResolved(const MaybeDocument& resolved, const MaybeDocument& server) {
  using K = ResolvedStep::Kind;
  if (resolved == server) return {K::kTakeServer, ""};
  if (!resolved) return {K::kSend, "delete"};
  if (!server) return {K::kSend, "create"};
  return {K::kSend, "update"};
}

IncomingStep DecideIncoming(const std::string& first_state, bool gone) {
  if (first_state.empty()) return IncomingStep::kApply;
  if (first_state == "pending" && !gone) return IncomingStep::kResolve;
  return IncomingStep::kSkip;
}

}  // namespace syncline
