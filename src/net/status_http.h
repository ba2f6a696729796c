// The one place that maps Status to HTTP and back (STYLE.md, "Errors").
#pragma once

#include <string>
#include <string_view>

#include "syncline/status.h"

namespace syncline {

// 400, 401, 403, 404, 409, 412, 413, 500, 503 by code.
int HttpStatusOf(const Status& status);
// {"error": CODE, "message": TEXT}
std::string ErrorBody(const Status& status);
// Rebuilds a Status from an error response (its JSON body if it has one, else the HTTP status).
Status StatusFromHttp(int http_status, std::string_view body);

}  // namespace syncline
