#include "net/access.h"

namespace syncline {

std::optional<Role> RoleOn(const Principal& p, std::string_view db) {
  if (p.admin_key) return Role::kAdmin;
  std::optional<Role> best;
  for (const Grant& g : p.grants) {
    if (g.db != db && g.db != kAllDatabases) continue;
    if (!best || g.role > *best) best = g.role;
  }
  return best;
}

namespace {

std::string Who(const Principal& p) { return "user '" + p.user + "'"; }

}  // namespace

Status CheckAccess(const Principal& p, Access need, std::string_view db) {
  if (p.scraper) {
    if (need == Access::kPublic || need == Access::kMetrics) return Status::OK();
    return Status::PermissionDenied("the scrape token may only read /metrics");
  }
  switch (need) {
    case Access::kPublic:
    case Access::kSignedIn:
      return Status::OK();
    case Access::kMetrics:
    case Access::kNodeAdmin:
      if (RoleOn(p, kAllDatabases) == Role::kAdmin) return Status::OK();
      return Status::PermissionDenied(Who(p) + " is not an admin of every database");
    case Access::kRead:
    case Access::kWrite:
    case Access::kAdmin:
      break;
  }
  Role wanted = need == Access::kRead    ? Role::kRead
                : need == Access::kWrite ? Role::kWrite
                                         : Role::kAdmin;
  std::optional<Role> has = RoleOn(p, db);
  if (has && *has >= wanted) return Status::OK();
  std::string what = has ? "has only the " + std::string(RoleName(*has)) + " role on"
                         : "has no role on";
  return Status::PermissionDenied(Who(p) + " " + what + " database '" + std::string(db) +
                                  "'; this request needs " + std::string(RoleName(wanted)));
}

}  // namespace syncline
