// Result<T>: a value or a non-OK Status (C++20 has no std::expected).
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "syncline/status.h"

namespace syncline {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok()
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());  // an OK Result must carry a value
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace syncline

#define SYNCLINE_CONCAT_INNER(a, b) a##b
#define SYNCLINE_CONCAT(a, b) SYNCLINE_CONCAT_INNER(a, b)
// Evaluates `rexpr` (a Result); on error returns its Status, else moves the value into `lhs`.
#define SYNCLINE_ASSIGN_OR_RETURN(lhs, rexpr) \
  SYNCLINE_ASSIGN_OR_RETURN_IMPL(SYNCLINE_CONCAT(_result_, __LINE__), lhs, rexpr)
#define SYNCLINE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
