// Status formatting and code names.
#include "syncline/status.h"

namespace syncline {

std::string_view Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not_found";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kPreconditionFailed: return "precondition_failed";
    // HTTP's word for a 401, which clients look for: log in (again).
    case Code::kUnauthenticated: return "unauthorized";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kTooLarge: return "too_large";
    case Code::kCorruption: return "corruption";
    case Code::kIOError: return "io_error";
    case Code::kUnavailable: return "unavailable";
    case Code::kInternal: return "internal";
    case Code::kConflicted: return "conflicted";
    case Code::kProtocolError: return "protocol_error";
    case Code::kCancelled: return "cancelled";
    case Code::kRateLimited: return "rate_limited";
    case Code::kValidationFailed: return "validation_failed";
    // Seed 002's word, which clients of such servers look for.
    case Code::kUnknownClient: return "unknown-client";
  }
  return "internal";
}

Status::Code Status::CodeFromName(std::string_view name) {
  if (name == "unauthenticated") return Code::kUnauthenticated;  // its name until issue 9
  for (int c = 0; c <= static_cast<int>(Code::kLast); ++c) {
    if (CodeName(static_cast<Code>(c)) == name) return static_cast<Code>(c);
  }
  return Code::kInternal;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, m);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(CodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace syncline
