// Filter: the small JSON query language of `doc find`, selective sync and the client's local
// store. Documented in docs/API.md ("Filters").
//
//   {"age": {"$gte": 18}, "address.city": "Oslo", "$or": [{"tag": {"$in": ["a","b"]}}, ...]}
//
// Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists, combined with $and / $or and implicit
// AND across keys. Field names are dotted paths; a numeric segment indexes an array.
#pragma once

#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

class Filter {
 public:
  // Checks the filter's shape and operators; InvalidArgument says what is wrong.
  static Result<Filter> Parse(const Json& filter);

  // True if `doc` matches. Thread-safe (const).
  bool Matches(const Json& doc) const;

 private:
  explicit Filter(Json filter) : filter_(std::move(filter)) {}
  Json filter_;
};

// The value at a dotted path, or nullptr if any segment is missing.
const Json* FindPath(const Json& doc, std::string_view path);

}  // namespace syncline
