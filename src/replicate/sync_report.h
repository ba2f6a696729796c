// SyncReport: the record of one item's synchronization to one destination.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/item.h"
#include "store/sync_state.h"
#include "sync/sync_type.h"
#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

struct SyncReport {
  ItemRef ref;
  int64_t etag = 0;  // the source's etag of the version pushed
  SyncType type = SyncType::kContentUpdate;
  Status error;  // OK: success; kConflicted: settled as a conflict there
  int64_t bytes_transferred = 0;  // content bytes on the wire
  int64_t bytes_copied = 0;       // content bytes the destination already had
  int64_t need_list_length = 0;   // chunks the destination asked for
  std::string source_node;
  std::string source_url;
  std::string destination_url;
  int64_t started_at = 0;   // microseconds since the epoch
  int64_t finished_at = 0;
};

// The --json form: name, kind, collection, etag, type, error (message or null), error_code
// (Status::CodeName or null), bytes_transferred, bytes_copied, need_list_length, source_node,
// source_url, destination_url, started_at, finished_at.
Json SyncReportToJson(const SyncReport& r);
Result<SyncReport> SyncReportFromJson(const Json& j);

// The store's form of a report, and back (Corruption if the record is damaged).
ReportRecord SyncReportToRecord(const SyncReport& r);
Result<SyncReport> SyncReportFromRecord(const ReportRecord& r);

}  // namespace syncline
