// Precondition decisions.
#include "sync/precondition.h"

#include <algorithm>

namespace syncline {

bool EtagCondition::Matches(std::optional<int64_t> current) const {
  if (!current) return false;
  return any || std::find(etags.begin(), etags.end(), *current) != etags.end();
}

Precondition::Precondition(std::optional<int64_t> etag) {
  if (etag) if_match = EtagCondition{false, {*etag}};
}

namespace {

std::string Describe(const EtagCondition& c) {
  if (c.any) return "*";
  if (c.etags.empty()) return "no strong etag";
  std::string out;
  for (int64_t e : c.etags) out += (out.empty() ? "" : ", ") + std::to_string(e);
  return (c.etags.size() == 1 ? "etag " : "etags ") + out;
}

std::string Current(std::optional<int64_t> current) {
  return current ? "the current etag is " + std::to_string(*current) : "there is no such item";
}

}  // namespace

Status Precondition::CheckWrite(std::optional<int64_t> current) const {
  if (if_match && !if_match->Matches(current)) {
    return Status::PreconditionFailed("If-Match " + Describe(*if_match) + " does not match: " +
                                      Current(current));
  }
  if (if_none_match && if_none_match->Matches(current)) {
    if (if_none_match->any) {
      return Status::PreconditionFailed("it already exists (etag " + std::to_string(*current) +
                                        ") and If-None-Match is *");
    }
    return Status::PreconditionFailed("If-None-Match " + Describe(*if_none_match) +
                                      " matches: " + Current(current));
  }
  return Status::OK();
}

Precondition::ReadOutcome Precondition::CheckRead(std::optional<int64_t> current) const {
  if (if_match && !if_match->Matches(current)) return ReadOutcome::kFailed;
  if (if_none_match && if_none_match->Matches(current)) return ReadOutcome::kNotModified;
  return ReadOutcome::kServe;
}

}  // namespace syncline
