#include "store/user_record.h"

namespace syncline {

namespace {
constexpr std::string_view kRoleNames[] = {"read", "write", "admin"};
}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

bool ParseRole(std::string_view name, Role* role) {
  for (size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (kRoleNames[i] == name) {
      *role = static_cast<Role>(i);
      return true;
    }
  }
  return false;
}

}  // namespace syncline
