// Destinations: the remote databases a database pushes its changes to, kept in its
// configuration under sync/destination/<url>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "util/json.h"

namespace syncline {

struct Destination {
  std::string url;        // the remote node, e.g. http://10.0.0.2:8080 (no trailing '/')
  std::string remote_db;  // the database there
  std::string remote_key;  // its API key
  bool enabled = true;
  // Health, written by the replicator after each run.
  Status last_error;  // OK after a run that succeeded
  int64_t last_run_at = 0;
  int64_t last_success_at = 0;
  int64_t last_etag = 0;  // what the destination said it has from us, after the last run
  int64_t next_retry_at = 0;  // when a failed run is retried by itself; 0: on the next change
};

// The JSON kept in the store (with the key) and the one shown to users (`redact`: without it).
Json DestinationToJson(const Destination& d, bool redact);
// InvalidArgument naming the field if `j` is not a destination.
Result<Destination> DestinationFromJson(const Json& j);

// InvalidArgument unless `url` is http(s)://host[:port] with no path; strips a trailing '/'.
Result<std::string> NormalizeNodeUrl(const std::string& url);

Result<std::vector<Destination>> ListDestinations(Store* store, const std::string& db);
// NotFound if the database has no destination with that URL.
Result<Destination> GetDestination(Store* store, const std::string& db, const std::string& url);
// Adds or replaces the destination with d.url.
Status PutDestination(Store* store, const std::string& db, const Destination& d);
Status RemoveDestination(Store* store, const std::string& db, const std::string& url);
// Writes only the health fields, keeping the rest as stored; OK if it was removed meanwhile.
Status UpdateDestinationHealth(Store* store, const std::string& db, const Destination& d);

}  // namespace syncline
