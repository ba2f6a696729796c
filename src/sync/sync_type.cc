// DecideSyncType: version vectors first, then the cheapest work that brings the peer up to date.
#include "sync/sync_type.h"

#include "sync/local_writer.h"
#include "sync/version_vector.h"
#include "util/json.h"

namespace syncline {

std::string_view SyncTypeName(SyncType type) {
  switch (type) {
    case SyncType::kContentUpdate:
      return "content-update";
    case SyncType::kMetadataUpdate:
      return "metadata-update";
    case SyncType::kRename:
      return "rename";
    case SyncType::kDelete:
      return "delete";
  }
  return "unknown";
}

Result<SyncType> ParseSyncType(std::string_view name) {
  for (SyncType t : {SyncType::kContentUpdate, SyncType::kMetadataUpdate, SyncType::kRename,
                     SyncType::kDelete}) {
    if (SyncTypeName(t) == name) return t;
  }
  return Status::InvalidArgument("unknown sync type '" + std::string(name) + "'");
}

std::string RenamedTo(const Item& tombstone) {
  if (tombstone.kind != ItemKind::kFile || !tombstone.deleted) return "";
  Result<Json> meta = ParseJson(tombstone.metadata);
  if (!meta.ok() || !meta->is_object()) return "";
  auto it = meta->find(kRenamedToKey);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

Result<std::optional<SyncType>> DecideSyncType(const Item& source, const PeerState& peer) {
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector ours, VersionVector::Parse(source.version_vector));
  VersionVector theirs;
  if (peer.exists) {
    SYNCLINE_ASSIGN_OR_RETURN(theirs, VersionVector::Parse(peer.version_vector));
  }
  auto order = ours.CompareTo(theirs);
  if (order == VersionVector::Order::kEqual || order == VersionVector::Order::kOlder) {
    return std::optional<SyncType>();
  }
  if (source.deleted) {
    return std::optional<SyncType>(RenamedTo(source).empty() ? SyncType::kDelete
                                                             : SyncType::kRename);
  }
  if (source.kind == ItemKind::kFile && peer.exists && !peer.deleted &&
      peer.content_hash == source.content_hash) {
    return std::optional<SyncType>(SyncType::kMetadataUpdate);
  }
  return std::optional<SyncType>(SyncType::kContentUpdate);
}

}  // namespace syncline
