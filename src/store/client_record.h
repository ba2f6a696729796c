// ClientRecord and ClientCollectionRecord: an offline-first client of a database and what it
// pulls, as the store keeps them (schema 07). Plain data: replicate/client_registry.h gives
// them meaning.
#pragma once

#include <cstdint>
#include <string>

namespace syncline {

struct ClientRecord {
  std::string client_id;
  std::string user;      // who registered it; "" for the admin key
  std::string platform;  // JSON object text
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
};

struct ClientCollectionRecord {
  std::string client_id;
  std::string collection;
  std::string cursor;  // opaque; "" before the first pull
  std::string filter;  // JSON text, or ""
  std::string fields;  // JSON array text, or ""
  int64_t updated_at = 0;
  int64_t pending_ops = -1;  // the client's unpushed changes to the collection, as it last said; -1: never said
};

}  // namespace syncline
