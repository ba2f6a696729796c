// Name checks shared by the API edge and the CLI.
#include "util/name.h"

#include <cstdint>
#include <string>

namespace syncline {

namespace {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. Names
// travel in JSON, which holds only text.
bool IsUtf8(std::string_view s) {
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};  // by continuation bytes
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 1, cp = c & 0x1F;
    } else if ((c >> 4) == 0xE) {
      n = 2, cp = c & 0x0F;
    } else if ((c >> 3) == 0x1E) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

Status ValidateItemName(std::string_view name, std::string_view what) {
  std::string w(what);
  if (name.empty()) return Status::InvalidArgument(w + " is empty");
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument(w + " is longer than 1024 bytes");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(w + " contains a NUL byte");
  }
  if (!IsUtf8(name)) return Status::InvalidArgument(w + " is not valid UTF-8");
  size_t start = 0;
  while (true) {
    size_t end = name.find('/', start);
    std::string_view seg = name.substr(start, end == std::string_view::npos ? end : end - start);
    if (seg.empty()) return Status::InvalidArgument(w + " has an empty path segment");
    if (seg == "." || seg == "..") {
      return Status::InvalidArgument(w + " has a '" + std::string(seg) + "' segment");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::OK();
}

static bool IsNameChar(char c, bool allow_upper) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         (allow_upper && ((c >= 'A' && c <= 'Z') || c == '.'));
}

Status ValidateCollectionName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidArgument("collection name must be 1 to 128 bytes");
  }
  if (name[0] == '.' || name[0] == '_') {
    return Status::InvalidArgument("collection name must not start with '.' or '_'");
  }
  for (char c : name) {
    if (!IsNameChar(c, true)) {
      return Status::InvalidArgument("collection name may use only letters, digits, '_', '-', '.'");
    }
  }
  return Status::OK();
}

Status ValidateDatabaseName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDatabaseNameBytes) {
    return Status::InvalidArgument("database name must be 1 to 64 bytes");
  }
  if (name[0] == '_' || name[0] == '-') {
    return Status::InvalidArgument("database name must start with a letter or digit");
  }
  for (char c : name) {
    if (!IsNameChar(c, false)) {
      return Status::InvalidArgument("database name may use only a-z, 0-9, '_' and '-'");
    }
  }
  return Status::OK();
}

Status ValidateUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("user name must be 1 to 64 bytes");
  }
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return Status::InvalidArgument("user name must start with a letter or digit");
  for (char c : name) {
    if (!alnum(c) && c != '_' && c != '-' && c != '.' && c != '@') {
      return Status::InvalidArgument("user name may use only letters, digits, '_', '-', '.', '@'");
    }
  }
  return Status::OK();
}

}  // namespace syncline
