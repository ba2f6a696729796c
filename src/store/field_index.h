// FieldIndex: an index on one JSON field of one collection's documents
// (`syncline index create`), as the store lists it.
#pragma once

#include <cstdint>
#include <string>

namespace syncline {

struct FieldIndex {
  std::string collection;
  std::string field;  // a dotted path
  std::string name;   // the SQLite index
  int64_t created_at = 0;
};

}  // namespace syncline
