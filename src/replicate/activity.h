// SyncActivity: what a database is pushing right now and what waits its turn, per destination
// (`sync active`, `sync pending`).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "store/item.h"
#include "sync/sync_type.h"
#include "util/json.h"

namespace syncline {

struct ActivityEntry {
  ItemRef ref;
  int64_t etag = 0;
  SyncType type = SyncType::kContentUpdate;
  std::string destination_url;
};

Json ActivityEntryToJson(const ActivityEntry& e);

// Thread-safe.
class SyncActivity {
 public:
  // Replaces the queue of one destination.
  void SetPending(const std::string& url, std::vector<ActivityEntry> entries);
  // Moves an entry from the queue to the active set.
  void Start(const ActivityEntry& e);
  void Finish(const ActivityEntry& e);
  void ClearDestination(const std::string& url);

  std::vector<ActivityEntry> Active() const;
  std::vector<ActivityEntry> Pending() const;

 private:
  mutable std::mutex mu_;
  std::vector<ActivityEntry> active_;   // GUARDED_BY(mu_)
  std::vector<ActivityEntry> pending_;  // GUARDED_BY(mu_)
};

}  // namespace syncline
