// An item as JSON, the form in which sync moves items between nodes and keeps conflicts.
#pragma once

#include "store/item.h"
#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

// {"kind", "collection", "key", "version_vector": {...}, "deleted", "updated_at", then
// "body" (a document's JSON value) or "size", "content_hash", "manifest" (base64), "metadata"}.
Json ItemToJson(const Item& item);
// InvalidArgument (naming the field) if `j` is not an item in that form, or names an invalid
// collection, key or file name.
Result<Item> ItemFromJson(const Json& j);

Json ItemRefToJson(const ItemRef& ref);
Result<ItemRef> ItemRefFromJson(const Json& j);

}  // namespace syncline
