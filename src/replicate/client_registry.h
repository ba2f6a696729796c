// The registry of a database's offline-first clients: registration (a client id and the
// platform it runs on), lookups that answer UnknownClient for an id the server does not know
// (never issued, removed, or lost with the server's data), and what each client pulls.
#pragma once

#include <string>

#include "replicate/client_cursor.h"
#include "store/store.h"
#include "syncline/env.h"
#include "util/json.h"

namespace syncline {

// The version of the client protocol this server speaks, sent at registration.
inline constexpr int kClientProtocolVersion = 1;

// Registers a new client for `user`. `platform` is {"name", "version", "device"}, each an
// optional string of at most 256 bytes. InvalidArgument otherwise.
Result<ClientRecord> RegisterClient(Store* store, Env* env, const std::string& db,
                                    const std::string& user, const Json& platform);

// The client, with its last-seen time brought up to now. UnknownClient if the database has
// no such client; PermissionDenied if `user` is not the one that registered it (unless
// `any_user`, for the admin key).
Result<ClientRecord> FindClient(Store* store, Env* env, const std::string& db,
                                const std::string& client_id, const std::string& user,
                                bool any_user);

// Records what the client pulls of a collection, the cursor it says it has applied, and the
// changes it says it has not pushed (-1: not told).
Status RecordPull(Store* store, Env* env, const std::string& db, const std::string& client_id,
                  const std::string& collection, const std::string& cursor,
                  const PullSelection& selection, int64_t pending_operations = -1);

// The client with its collections, as the API shows it.
Result<Json> ClientJson(Store* store, const std::string& db, const ClientRecord& client);

}  // namespace syncline
