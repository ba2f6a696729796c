// The records of sync state the store keeps in tables of their own (schema 03): reports,
// conflicts, item locks, per-source watermarks and confirmation lists. Plain data: the sync
// and replicate layers give them meaning.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/item.h"

namespace syncline {

// Which way a report's synchronization went, seen from this node.
enum class ReportDirection { kOutgoing = 0, kIncoming = 1 };

// One item's last synchronization in one direction. `error_code` is empty on success.
struct ReportRecord {
  ItemRef ref;
  int64_t etag = 0;
  std::string type;
  std::string error_code;
  std::string error_message;
  int64_t bytes_transferred = 0;
  int64_t bytes_copied = 0;
  int64_t need_list_length = 0;
  std::string source_node;
  std::string source_url;
  std::string destination_url;
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

// A page of reports, newest first, and how many there are in all.
struct ReportPage {
  std::vector<ReportRecord> reports;
  int64_t total = 0;
};

// An unresolved conflict. `remote_item` is the incoming version as JSON text (the sync layer's
// encoding; the store does not read it).
struct ConflictRecord {
  ItemRef ref;
  std::string remote_url;
  std::string remote_node;
  std::string local_version;
  std::string remote_version;
  std::string remote_item;
  int64_t created_at = 0;
};

// A synchronization from `owner` (a node id) applying an item, until `expires_at`.
struct LockRecord {
  std::string owner;
  int64_t expires_at = 0;
};

}  // namespace syncline
