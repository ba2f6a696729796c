// Status: the outcome of an operation, OK or one code of a small fixed set plus a message.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace syncline {

// A Status is cheap to copy when OK and carries a message otherwise. Every function that can
// fail returns one (or a Result<T>); ignoring it is a compile warning. Thread-compatible.
class [[nodiscard]] Status {
 public:
  // Codes callers branch on. Add one only when some caller must tell it apart from the rest.
  enum class Code {
    kOk = 0,
    kNotFound,            // the named thing does not exist
    kInvalidArgument,     // bad input from the caller: never retry as is
    kAlreadyExists,       // create of something that exists
    kPreconditionFailed,  // If-Match etag or lock check failed
    kUnauthenticated,     // missing or wrong credentials
    kPermissionDenied,    // credentials fine, operation not allowed
    kTooLarge,            // input over a configured limit
    kCorruption,          // stored data is damaged: stop and report, never retry
    kIOError,             // the disk or OS failed
    kUnavailable,         // transient (peer down, busy): retry with backoff
    kInternal,            // a bug or an unexpected condition
    kConflicted,          // the item holds an unresolved conflict: resolve it first
    kProtocolError,       // a peer broke the sync protocol (malformed or unexpected reply)
    kCancelled,           // someone asked the operation to stop, and it stopped cleanly
    kRateLimited,         // too many attempts: wait before the next (a login locked out)
    kValidationFailed,    // well-formed, but a collection's rules refuse it
    kUnknownClient,       // a client id the server does not know: reset and register again
    kLast = kUnknownClient,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view m) { return {Code::kNotFound, m}; }
  static Status InvalidArgument(std::string_view m) { return {Code::kInvalidArgument, m}; }
  static Status AlreadyExists(std::string_view m) { return {Code::kAlreadyExists, m}; }
  static Status PreconditionFailed(std::string_view m) { return {Code::kPreconditionFailed, m}; }
  static Status Unauthenticated(std::string_view m) { return {Code::kUnauthenticated, m}; }
  static Status PermissionDenied(std::string_view m) { return {Code::kPermissionDenied, m}; }
  static Status TooLarge(std::string_view m) { return {Code::kTooLarge, m}; }
  static Status Corruption(std::string_view m) { return {Code::kCorruption, m}; }
  static Status IOError(std::string_view m) { return {Code::kIOError, m}; }
  static Status Unavailable(std::string_view m) { return {Code::kUnavailable, m}; }
  static Status Internal(std::string_view m) { return {Code::kInternal, m}; }
  static Status Conflicted(std::string_view m) { return {Code::kConflicted, m}; }
  static Status ProtocolError(std::string_view m) { return {Code::kProtocolError, m}; }
  static Status Cancelled(std::string_view m) { return {Code::kCancelled, m}; }
  static Status RateLimited(std::string_view m) { return {Code::kRateLimited, m}; }
  static Status ValidationFailed(std::string_view m) { return {Code::kValidationFailed, m}; }
  static Status UnknownClient(std::string_view m) { return {Code::kUnknownClient, m}; }
  // Any code; for decoding a code that travelled by name (an API error body, a stored report).
  // REQUIRES: code != Code::kOk
  static Status FromCode(Code code, std::string_view m) { return {code, m}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  // True for transient failures worth retrying soon with backoff (see STYLE.md, "Errors"):
  // a peer down or busy, a timeout, a failing disk. Everything else needs a change first.
  bool IsRetryable() const { return code_ == Code::kUnavailable || code_ == Code::kIOError; }

  // Returns the same status with "context: " put before its message; OK stays OK.
  Status WithContext(std::string_view context) const;

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Stable snake_case name of a code, as used in the API's {"error": CODE} body.
  static std::string_view CodeName(Code code);
  // The code named `name` (as CodeName prints it); kInternal for an unknown name.
  static Code CodeFromName(std::string_view name);

 private:
  Status(Code code, std::string_view message) : code_(code), message_(message) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace syncline

// Returns early from the calling function when `expr` yields a non-OK Status.
#define SYNCLINE_RETURN_IF_ERROR(expr)              \
  do {                                              \
    ::syncline::Status _st = (expr);                \
    if (!_st.ok()) return _st;                      \
  } while (0)
