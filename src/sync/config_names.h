// Names of the sync state kept in a database's configuration (Store::GetConfig). One prefix per
// kind, so ListConfig(prefix) lists one kind; an item's part is "<d|f>/<collection>/<key>".
#pragma once

#include <string>

#include "store/item.h"

namespace syncline::config_names {

inline constexpr char kDestinations[] = "sync/destination/";  // + url
inline constexpr char kLocks[] = "sync/lock/";                // + item
inline constexpr char kConflicts[] = "sync/conflict/";        // + item
inline constexpr char kReports[] = "sync/report/";            // + item: last outgoing report
inline constexpr char kFinished[] = "sync/finished/";         // + item: last incoming report
inline constexpr char kSources[] = "sync/source/";            // + node/db: last etag applied
inline constexpr char kConfirmations[] = "sync/confirm/";     // + url: items to confirm

// "<d|f>/<collection>/<key>": collections hold no '/', so the split is unambiguous.
inline std::string ItemPart(const ItemRef& ref) {
  return std::string(ref.kind == ItemKind::kFile ? "f/" : "d/") + ref.collection + "/" + ref.key;
}

// Inverse of ItemPart; false if `part` is not one.
inline bool ParseItemPart(const std::string& part, ItemRef* ref) {
  if (part.size() < 3 || (part[0] != 'd' && part[0] != 'f') || part[1] != '/') return false;
  size_t slash = part.find('/', 2);
  if (slash == std::string::npos) return false;
  ref->kind = part[0] == 'f' ? ItemKind::kFile : ItemKind::kDocument;
  ref->collection = part.substr(2, slash - 2);
  ref->key = part.substr(slash + 1);
  return true;
}

inline std::string Item(const char* prefix, const ItemRef& ref) { return prefix + ItemPart(ref); }

}  // namespace syncline::config_names
