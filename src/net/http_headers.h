// The request headers the API honours beyond the basics, parsed as RFC 9110 writes them:
// If-Match / If-None-Match (section 13.1) and Range / If-Range (section 14).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sync/precondition.h"
#include "syncline/result.h"

namespace syncline {

// Parses If-Match and If-None-Match (either may be null): "*", or a list of entity tags
// ("3", W/"3"; a bare 3 too, as older clients sent). If-Match compares strongly, so its weak
// tags can never match; If-None-Match compares weakly. A tag that is not an etag number
// matches nothing. InvalidArgument if a header is not that syntax.
Result<Precondition> ParsePreconditions(const std::string* if_match,
                                        const std::string* if_none_match);

// What a Range header asks of a representation of `size` bytes.
struct ByteRange {
  enum class Kind {
    kWhole,          // serve all of it, 200: no Range, another unit, several ranges, bad syntax
    kPart,           // serve [offset, offset + length), 206
    kUnsatisfiable,  // 416
  };
  Kind kind = Kind::kWhole;
  uint64_t offset = 0, length = 0;
};
// As RFC 9110 lets a server: a single "bytes=" range is served; anything it does not
// understand (another unit, a malformed or multi-range set) is ignored, so the whole
// representation is sent.
ByteRange ParseByteRange(const std::string* range, uint64_t size);

// If-Range: true if the Range may be honoured, that is, the header is absent or names the
// current etag strongly.
bool IfRangeHolds(const std::string* if_range, int64_t etag);

}  // namespace syncline
