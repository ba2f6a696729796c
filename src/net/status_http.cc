// Status <-> HTTP status and error body.
#include "net/status_http.h"

#include "util/json.h"

namespace syncline {

using Code = Status::Code;

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kPreconditionFailed: return 412;
    case Code::kTooLarge: return 413;
    case Code::kUnavailable: return 503;
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal: return 500;
  }
  return 500;
}

std::string ErrorBody(const Status& s) {
  Json j = {{"error", Status::CodeName(s.code())}, {"message", s.message()}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status StatusFromHttp(int http_status, std::string_view body) {
  std::string message = "HTTP " + std::to_string(http_status);
  Result<Json> j = ParseJson(body);
  if (j.ok() && j->is_object() && j->contains("error")) {
    std::string code = j->value("error", "");
    message = j->value("message", message);
    for (int c = 1; c <= static_cast<int>(Code::kInternal); ++c) {
      if (Status::CodeName(static_cast<Code>(c)) == code) {
        switch (static_cast<Code>(c)) {
          case Code::kNotFound: return Status::NotFound(message);
          case Code::kInvalidArgument: return Status::InvalidArgument(message);
          case Code::kAlreadyExists: return Status::AlreadyExists(message);
          case Code::kPreconditionFailed: return Status::PreconditionFailed(message);
          case Code::kUnauthenticated: return Status::Unauthenticated(message);
          case Code::kPermissionDenied: return Status::PermissionDenied(message);
          case Code::kTooLarge: return Status::TooLarge(message);
          case Code::kCorruption: return Status::Corruption(message);
          case Code::kIOError: return Status::IOError(message);
          case Code::kUnavailable: return Status::Unavailable(message);
          default: return Status::Internal(message);
        }
      }
    }
  }
  switch (http_status) {
    case 400: return Status::InvalidArgument(message);
    case 401: return Status::Unauthenticated(message);
    case 403: return Status::PermissionDenied(message);
    case 404: return Status::NotFound(message);
    case 409: return Status::AlreadyExists(message);
    case 412: return Status::PreconditionFailed(message);
    case 413: return Status::TooLarge(message);
    case 502: case 503: case 504: return Status::Unavailable(message);
    default: return Status::Internal(message);
  }
}

}  // namespace syncline
