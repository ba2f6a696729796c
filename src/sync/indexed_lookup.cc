#include "sync/indexed_lookup.h"

namespace syncline {

Result<std::optional<IndexedLookup>> FindIndexedLookup(Store* store, const std::string& db,
                                                       const std::string& collection,
                                                       const Json& filter) {
  std::optional<IndexedLookup> none;
  if (!filter.is_object() || filter.empty()) return none;
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<FieldIndex> indexes, store->ListFieldIndexes(db));
  for (const FieldIndex& i : indexes) {
    if (i.collection != collection) continue;
    auto it = filter.find(i.field);
    if (it == filter.end()) continue;
    const Json* v = &*it;
    if (v->is_object() && v->size() == 1 && v->contains("$eq")) v = &*v->find("$eq");
    if (v->is_string() || v->is_boolean() || v->is_number_integer()) {
      return std::optional<IndexedLookup>(IndexedLookup{i.field, *v});
    }
  }
  return none;
}

}  // namespace syncline
