// Status <-> HTTP status and error body.
#include "net/status_http.h"

#include "util/json_reader.h"

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
    case Code::kConflicted: return 409;
    case Code::kProtocolError: return 502;
    case Code::kCancelled: return 409;
    case Code::kRateLimited: return 429;
    case Code::kValidationFailed: return 422;
    case Code::kUnknownClient: return 409;
  }
  return 500;
}

std::string ErrorBody(const Status& s) {
  return DumpJson({{"error", Status::CodeName(s.code())}, {"message", s.message()}});
}

Status StatusFromHttp(int http_status, std::string_view body) {
  // The peer's own code when its body is our error form; else the HTTP status decides.
  std::string message = "HTTP " + std::to_string(http_status);
  Result<Json> j = ParseJsonObject(body);
  if (j.ok()) {
    Result<std::string> code = JsonString(*j, "error");
    Result<std::string> text = JsonStringOr(*j, "message", message);
    if (code.ok() && text.ok()) {
      Status::Code c = Status::CodeFromName(*code);
      return Status::FromCode(c == Code::kOk ? Code::kInternal : c, *text);
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
    case 422: return Status::ValidationFailed(message);
    case 429: return Status::RateLimited(message);
    case 502: case 503: case 504: return Status::Unavailable(message);
    default: return Status::Internal(message);
  }
}

}  // namespace syncline
