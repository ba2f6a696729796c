// IndexedLookup: whether a filter can be answered through a field index (store.h,
// CreateFieldIndex): a top-level condition pinning an indexed field to one value.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "store/store.h"
#include "util/json.h"

namespace syncline {

struct IndexedLookup {
  std::string field;
  Json value;  // a string, an integer or a boolean
};

// {"f": v} or {"f": {"$eq": v}} on a field of `collection` that has an index, or nullopt.
// The rest of the filter still has to be checked on each document found.
Result<std::optional<IndexedLookup>> FindIndexedLookup(Store* store, const std::string& db,
                                                       const std::string& collection,
                                                       const Json& filter);

}  // namespace syncline
