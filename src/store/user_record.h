// UserRecord and TokenRecord: the node's users, what they may do, and their login tokens, as the
// store keeps them (schema 06). Plain data: net/access.h gives roles their meaning.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace syncline {

// Ordered: each role may do what the ones before it may.
enum class Role : uint8_t { kRead = 0, kWrite = 1, kAdmin = 2 };

std::string_view RoleName(Role role);  // "read", "write", "admin"
bool ParseRole(std::string_view name, Role* role);

// The database every grant with this name covers.
inline constexpr std::string_view kAllDatabases = "*";

struct Grant {
  std::string db;  // a database name, or kAllDatabases
  Role role = Role::kRead;
  bool operator==(const Grant&) const = default;
};

struct UserRecord {
  std::string name;
  std::string password_hash;  // crypto_pwhash_str: Argon2id with its parameters and salt
  std::vector<Grant> grants;  // by database name
  int64_t created_at = 0;     // microseconds since the Unix epoch
  int64_t password_changed_at = 0;
};

struct TokenRecord {
  std::string token_hash;  // BLAKE2b of the token: the token itself is never stored
  std::string user;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

}  // namespace syncline
