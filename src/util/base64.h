// Base64 (RFC 4648, with padding) through OpenSSL, for binary fields inside JSON.
#pragma once

#include <string>
#include <string_view>

#include "syncline/result.h"

namespace syncline {

std::string Base64Encode(std::string_view bytes);
// InvalidArgument if `text` is not valid base64.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace syncline
