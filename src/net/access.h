// Access: who is calling (a Principal) and what a route asks of them, decided in one place.
// Roles are per database (store/user_record.h): read may pull, write may also push, admin may
// do everything on that database. The node's admin key, and an admin grant on every database,
// may also do what belongs to no database (users, the list of all databases).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/user_record.h"
#include "syncline/status.h"

namespace syncline {

// What a route asks of its caller, weakest first.
enum class Access : uint8_t {
  kPublic,     // anyone, without credentials
  kSignedIn,   // any valid credentials; the handler narrows what it shows
  kRead,       // the read role (or more) on the route's database
  kWrite,
  kAdmin,      // the admin role on the route's database
  kNodeAdmin,  // the admin key, or the admin role on every database ("*")
  kMetrics,    // a node admin, or the scrape token (GET /metrics)
};

// The caller of a request, once its credentials are checked.
struct Principal {
  std::string user;  // empty for the admin key
  std::vector<Grant> grants;
  bool admin_key = false;
  bool scraper = false;  // the scrape token: /metrics and public routes only

  static Principal AdminKey() { return {"", {}, true, false}; }
  static Principal Scraper() { return {"", {}, false, true}; }
};

// The caller's role on `db`: the highest grant naming it or "*"; nullopt if none.
std::optional<Role> RoleOn(const Principal& p, std::string_view db);

// OK if `p` may make a request that needs `need` on database `db` (empty for routes outside a
// database); otherwise PermissionDenied saying what is missing.
Status CheckAccess(const Principal& p, Access need, std::string_view db);

}  // namespace syncline
