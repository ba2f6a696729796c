// Projection: keeps only named (dotted) fields of a document, for `doc find --fields`.
#pragma once

#include <string>
#include <vector>

#include "util/json.h"

namespace syncline {

// A copy of `doc` with only the listed paths (missing ones are left out). An empty list keeps
// the whole document.
Json ProjectFields(const Json& doc, const std::vector<std::string>& fields);

// The inverse, for a partial document a client edited: `full` with each listed path taken
// from `partial` (removed where `partial` lacks it); other fields stay as in `full`. An empty
// list takes `partial` whole.
Json MergeFields(const Json& full, const Json& partial, const std::vector<std::string>& fields);

}  // namespace syncline
