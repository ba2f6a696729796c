// Item <-> JSON with validation of everything a peer could get wrong.
#include "sync/item_json.h"

#include "sync/version_vector.h"
#include "util/base64.h"
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
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) return Bad("kind");
  if (*kind == "file") {
    ref.kind = ItemKind::kFile;
  } else if (*kind == "document") {
    ref.kind = ItemKind::kDocument;
  } else {
    return Bad("kind");
  }
  auto key = j.find("key");
  if (key == j.end() || !key->is_string()) return Bad("key");
  ref.key = key->get<std::string>();
  if (ref.kind == ItemKind::kDocument) {
    auto coll = j.find("collection");
    if (coll == j.end() || !coll->is_string()) return Bad("collection");
    ref.collection = coll->get<std::string>();
    SYNCLINE_RETURN_IF_ERROR(ValidateCollectionName(ref.collection));
    SYNCLINE_RETURN_IF_ERROR(ValidateItemName(ref.key, "key"));
  } else {
    SYNCLINE_RETURN_IF_ERROR(ValidateItemName(ref.key));
  }
  return ref;
}

Json ItemToJson(const Item& item) {
  Json j = ItemRefToJson(item.ref());
  j["version_vector"] = Json::parse(item.version_vector);
  j["deleted"] = item.deleted;
  j["updated_at"] = item.updated_at;
  if (item.kind == ItemKind::kDocument) {
    if (!item.deleted) j["body"] = Json::parse(item.body);
  } else {
    j["size"] = item.size;
    j["content_hash"] = item.content_hash;
    j["manifest"] = Base64Encode(item.manifest);
    j["metadata"] = Json::parse(item.metadata);
  }
  return j;
}

Result<Item> ItemFromJson(const Json& j) {
  SYNCLINE_ASSIGN_OR_RETURN(ItemRef ref, ItemRefFromJson(j));
  Item item;
  item.kind = ref.kind;
  item.collection = ref.collection;
  item.key = ref.key;
  auto vv = j.find("version_vector");
  if (vv == j.end() || !vv->is_object()) return Bad("version_vector");
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector parsed, VersionVector::Parse(vv->dump()));
  item.version_vector = parsed.ToJson();
  auto deleted = j.find("deleted");
  if (deleted == j.end() || !deleted->is_boolean()) return Bad("deleted");
  item.deleted = deleted->get<bool>();
  auto updated = j.find("updated_at");
  if (updated == j.end() || !updated->is_number_integer()) return Bad("updated_at");
  item.updated_at = updated->get<int64_t>();
  if (item.kind == ItemKind::kDocument) {
    if (!item.deleted) {
      auto body = j.find("body");
      if (body == j.end() || !body->is_object()) return Bad("body");
      item.body = body->dump();
    }
    return item;
  }
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0) return Bad("size");
  item.size = size->get<int64_t>();
  auto hash = j.find("content_hash");
  if (hash == j.end() || !hash->is_string()) return Bad("content_hash");
  item.content_hash = hash->get<std::string>();
  auto manifest = j.find("manifest");
  if (manifest == j.end() || !manifest->is_string()) return Bad("manifest");
  SYNCLINE_ASSIGN_OR_RETURN(item.manifest, Base64Decode(manifest->get<std::string>()));
  auto meta = j.find("metadata");
  if (meta == j.end() || !meta->is_object()) return Bad("metadata");
  for (const auto& [k, v] : meta->items()) {
    if (!v.is_string()) return Bad("metadata." + k);
  }
  item.metadata = meta->dump();
  return item;
}

}  // namespace syncline
