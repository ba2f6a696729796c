// A `syncline client` folder: the offline store (DIR/client.db) and the settings kept in it
// (server, database, token, user, CA file, default collections, each collection's filter and
// fields).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_context.h"
#include "syncline/http_adapter.h"
#include "syncline/offline_store.h"

namespace syncline {

// Opens DIR's store; NotFound naming `client init` when DIR has none.
Result<std::unique_ptr<OfflineStore>> OpenClientDir(const std::string& dir);
// Creates DIR (and its store) if missing.
Result<std::unique_ptr<OfflineStore>> CreateClientDir(const std::string& dir);

// The HTTP adapter for the store's server, database and token; `ctx.ca_file` overrides the
// stored CA file.
Result<std::unique_ptr<HttpAdapter>> MakeAdapter(const CliContext& ctx, OfflineStore& store);

}  // namespace syncline
