// Item <-> JSON with validation of everything a peer could get wrong.
#include "sync/item_json.h"

#include "sync/version_vector.h"
#include "util/base64.h"
#include "util/json_reader.h"
#include "util/name.h"

namespace syncline {

namespace {

Status Bad(const std::string& field) {
  return Status::InvalidArgument("item field '" + field + "' is missing or malformed");
}

}  // namespace

Json ItemRefToJson(const ItemRef& ref) {
  Json j = {{"kind", ItemKindName(ref.kind)}, {"key", ref.key}};
  if (ref.kind == ItemKind::kDocument) j["collection"] = ref.collection;
  return j;
}

Result<ItemRef> ItemRefFromJson(const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("an item reference must be an object");
  ItemRef ref;
  Result<std::string> kind = JsonString(j, "kind");
  if (!kind.ok()) return Bad("kind");
  if (*kind == "file") {
    ref.kind = ItemKind::kFile;
  } else if (*kind == "document") {
    ref.kind = ItemKind::kDocument;
  } else {
    return Bad("kind");
  }
  Result<std::string> key = JsonString(j, "key");
  if (!key.ok()) return Bad("key");
  ref.key = std::move(*key);
  if (ref.kind == ItemKind::kDocument) {
    Result<std::string> collection = JsonString(j, "collection");
    if (!collection.ok()) return Bad("collection");
    ref.collection = std::move(*collection);
    SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(ref.collection));
    SYNCLINE_RETURN_IF_ERROR(ValidateItemName(ref.key, "key"));
  } else {
    SYNCLINE_RETURN_IF_ERROR(ValidateItemName(ref.key));
  }
  return ref;
}

Json ItemToJson(const Item& item) {
  Json j = ItemRefToJson(item.ref());
  j["version_vector"] = ParseStoredJson(item.version_vector);
  j["deleted"] = item.deleted;
  j["updated_at"] = item.updated_at;
  if (item.kind == ItemKind::kDocument) {
    if (!item.deleted) j["body"] = ParseStoredJson(item.body);
  } else {
    j["size"] = item.size;
    j["content_hash"] = item.content_hash;
    j["manifest"] = Base64Encode(item.manifest);
    j["metadata"] = ParseStoredJson(item.metadata);
  }
  return j;
}

// Each field of an item, checked; the accessor's message is replaced by Bad's, which names
// the field as an item field.
Result<Item> ItemFromJson(const Json& j) {
  SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(j));
  Item item;
  item.kind = ref.kind;
  item.collection = ref.collection;
  item.key = ref.key;
  Result<const Json*> vv = JsonObjectField(j, "version_vector");
  if (!vv.ok()) return Bad("version_vector");
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector parsed, VersionVector::Parse(DumpJson(**vv)));
  item.version_vector = parsed.ToJson();
  Result<bool> deleted = JsonBool(j, "deleted");
  if (!deleted.ok()) return Bad("deleted");
  item.deleted = *deleted;
  Result<int64_t> updated = JsonInt(j, "updated_at");
  if (!updated.ok()) return Bad("updated_at");
  item.updated_at = *updated;
  if (item.kind == ItemKind::kDocument) {
    if (!item.deleted) {
      Result<const Json*> body = JsonObjectField(j, "body");
      if (!body.ok()) return Bad("body");
      item.body = DumpJson(**body);
    }
    return item;
  }
  Result<int64_t> size = JsonInt(j, "size");
  if (!size.ok() || *size < 0) return Bad("size");
  item.size = *size;
  Result<std::string> hash = JsonString(j, "content_hash");
  if (!hash.ok()) return Bad("content_hash");
  item.content_hash = std::move(*hash);
  Result<std::string> manifest = JsonString(j, "manifest");
  if (!manifest.ok()) return Bad("manifest");
  SYNCLINE_ASSIGN_OR_RETURN(item.manifest, Base64Decode(*manifest));
  Result<const Json*> meta = JsonObjectField(j, "metadata");
  if (!meta.ok()) return Bad("metadata");
  for (const auto& [k, v] : (*meta)->items()) {
    if (!v.is_string()) return Bad("metadata." + k);
  }
  item.metadata = DumpJson(**meta);
  return item;
}

}  // namespace syncline
