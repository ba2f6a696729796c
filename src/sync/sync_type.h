// The kind of work a synchronization of one item needs, decided from the source's item and the
// destination's state of it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/item.h"
#include "syncline/result.h"

namespace syncline {

enum class SyncType { kContentUpdate, kMetadataUpdate, kRename, kDelete };

// "content-update", "metadata-update", "rename", "delete".
std::string_view SyncTypeName(SyncType type);
Result<SyncType> ParseSyncType(std::string_view name);

// What the destination holds for an item.
struct PeerState {
  bool exists = false;
  std::string version_vector = "{}";
  bool deleted = false;
  std::string content_hash;  // files
  bool conflict = false;
};

// The work to push `source` to a destination in state `peer`, or nullopt when the destination
// already has it or something newer. A concurrent pair still needs work: the destination
// records the conflict. A renamed file's tombstone gives kRename.
Result<std::optional<SyncType>> DecideSyncType(const Item& source, const PeerState& peer);

// The new name a renamed file's tombstone points to, or empty.
std::string RenamedTo(const Item& tombstone);

}  // namespace syncline
