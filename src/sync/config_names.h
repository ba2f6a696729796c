// Names of the sync configuration kept in a database's configuration (Store::GetConfig).
#pragma once

#include <string>


namespace syncline::config_names {

inline constexpr char kDestinations[] = "sync/destination/";  // + url
inline constexpr char kCollectionRules[] = "rules/";             // + collection
// Sync state (reports, conflicts, locks, watermarks, confirmations) has tables of its own:
// store/sync_state.h. Schema 03 moved it out of these names.

}  // namespace syncline::config_names
