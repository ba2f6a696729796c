// Item: a document or a file as the store keeps it, and the change feed's entry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace syncline {

enum class ItemKind { kDocument = 0, kFile = 1 };

std::string_view ItemKindName(ItemKind kind);  // "document" or "file"

// Names one item: a document by (collection, key), a file by its name in `key`.
struct ItemRef {
  ItemKind kind = ItemKind::kDocument;
  std::string collection;
  std::string key;

  bool operator==(const ItemRef&) const = default;
  auto operator<=>(const ItemRef&) const = default;
};

// The stored state of one item. Documents use `body`; files use size, content_hash, manifest
// and metadata. A tombstone (deleted) keeps its key, version vector and etag.
struct Item {
  ItemKind kind = ItemKind::kDocument;
  std::string collection;  // empty for files
  std::string key;         // document key or file name
  int64_t etag = 0;        // assigned by the store on write
  std::string version_vector = "{}";  // JSON {node_id: counter}; see sync/version_vector.h
  bool deleted = false;
  int64_t updated_at = 0;  // microseconds since the epoch
  std::string body;        // document JSON text
  int64_t size = 0;        // file content bytes
  std::string content_hash;  // hex SHA-256 of the file content
  std::string manifest;      // encoded chunk list, docs/formats/manifest.md
  std::string metadata = "{}";  // file metadata, a JSON object of strings

  ItemRef ref() const { return {kind, collection, key}; }
};

// One entry of the change feed: the item at its latest etag.
struct Change {
  int64_t etag = 0;
  ItemKind kind = ItemKind::kDocument;
  std::string collection;
  std::string key;
  bool deleted = false;

  ItemRef ref() const { return {kind, collection, key}; }
};

}  // namespace syncline
