// Precondition: what a request requires of an item's current version before it acts (HTTP
// If-Match and If-None-Match, RFC 9110 section 13.1), decided here for every write and read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "syncline/status.h"

namespace syncline {

// "*" or a list of etags (weak ones already dropped or kept by the header's parser, as its
// comparison function requires).
struct EtagCondition {
  bool any = false;
  std::vector<int64_t> etags;

  // True if the item's current etag (nullopt: no live item) is one of these.
  bool Matches(std::optional<int64_t> current) const;
};

struct Precondition {
  std::optional<EtagCondition> if_match;       // fails unless the current version matches
  std::optional<EtagCondition> if_none_match;  // fails if it does

  Precondition() = default;
  Precondition(std::nullopt_t) {}  // NOLINT: none, as std::optional
  // If-Match with one etag (the CLI's --if-match, a bulk write's "if_match").
  Precondition(std::optional<int64_t> etag);  // NOLINT: an etag or none, as before
  Precondition(int64_t etag) : Precondition(std::optional<int64_t>(etag)) {}  // NOLINT

  bool empty() const { return !if_match && !if_none_match; }

  // For a write: OK, or PreconditionFailed naming the current state (callers add which item).
  // `current` is the item's live etag, nullopt if absent or deleted.
  Status CheckWrite(std::optional<int64_t> current) const;

  // For a read, as RFC 9110 section 13.2.2 orders it.
  enum class ReadOutcome { kServe, kNotModified, kFailed };
  ReadOutcome CheckRead(std::optional<int64_t> current) const;
};

}  // namespace syncline
