// Filter: the small JSON query language of `doc find`, selective sync and the client's local
// store. Documented in docs/API.md ("Filters").
//
//   {"age": {"$gte": 18}, "address.city": "Oslo", "$or": [{"tag": {"$in": ["a","b"]}}, ...]}
//
// Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $type $regex (with $options "i"),
// combined with $and / $or and implicit AND across keys. Field names are dotted paths; a numeric
// segment indexes an array. $regex is RE2 syntax: matching takes time linear in the text, so a
// hostile pattern cannot stall the server.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "syncline/result.h"
#include "util/json.h"

namespace re2 {
class RE2;
}

namespace syncline {

class Filter {
 public:
  // Checks the filter's shape and operators; InvalidArgument says what is wrong.
  static Result<Filter> Parse(const Json& filter);

  // True if `doc` matches. Thread-safe (const).
  bool Matches(const Json& doc) const;

  // The first top-level condition ({field: condition}, or {"$or": [...]}) that `doc` fails;
  // nullopt if it matches. For error messages.
  std::optional<Json> FirstFailure(const Json& doc) const;

  // The filter as given.
  const Json& json() const { return filter_; }

  // Compiled $regex patterns, by RegexKey(pattern, options). Shared by copies; never changed
  // after Parse.
  using Regexes = std::map<std::string, std::shared_ptr<const re2::RE2>>;

 private:
  Filter(Json filter, std::shared_ptr<const Regexes> regexes)
      : filter_(std::move(filter)), regexes_(std::move(regexes)) {}
  Json filter_;
  std::shared_ptr<const Regexes> regexes_;
};

// The value at a dotted path, or nullptr if any segment is missing.
const Json* FindPath(const Json& doc, std::string_view path);

}  // namespace syncline
