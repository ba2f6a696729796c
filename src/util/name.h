// Validation of the names users give: database names, collections, document keys, file names.
#pragma once

#include <string_view>

#include "syncline/status.h"

namespace syncline {

inline constexpr size_t kMaxNameBytes = 1024;
inline constexpr size_t kMaxDatabaseNameBytes = 64;

// A file name or document key: a '/'-separated path of 1..1024 bytes with no empty segment,
// no "." or ".." segment and no NUL. Returns InvalidArgument saying what is wrong.
Status ValidateItemName(std::string_view name, std::string_view what = "name");

// A collection: 1..128 bytes of [A-Za-z0-9_.-], not starting with '.' or '_'.
Status ValidateCollectionName(std::string_view name);

// A database: 1..64 bytes of [a-z0-9_-], starting with a letter or digit.
Status ValidateDatabaseName(std::string_view name);

// A user: 1..64 bytes of [A-Za-z0-9_.-@], starting with a letter or digit.
Status ValidateUserName(std::string_view name);

}  // namespace syncline
