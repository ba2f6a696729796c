// CheckAccess, as a table: each role against each kind of route.
#include "net/access.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

Principal User(std::vector<Grant> grants) { return {"u", std::move(grants), false, false}; }

TEST(AccessTest, RolesAgainstRoutes) {
  const Principal reader = User({{"notes", Role::kRead}});
  const Principal writer = User({{"notes", Role::kWrite}});
  const Principal admin = User({{"notes", Role::kAdmin}});
  const Principal everywhere_reader = User({{"*", Role::kRead}});
  const Principal node_admin = User({{"*", Role::kAdmin}});
  const Principal mixed = User({{"*", Role::kRead}, {"notes", Role::kWrite}});
  const Principal nobody = User({});
  const Principal key = Principal::AdminKey();
  const Principal scraper = Principal::Scraper();
  struct Case {
    const char* name;
    const Principal& who;
    Access need;
    std::string db;
    bool allowed;
  };
  const Case cases[] = {
      {"anyone reads a public route", nobody, Access::kPublic, "", true},
      {"anyone signed in lists", nobody, Access::kSignedIn, "", true},
      {"reader pulls", reader, Access::kRead, "notes", true},
      {"reader may not push", reader, Access::kWrite, "notes", false},
      {"reader may not administer", reader, Access::kAdmin, "notes", false},
      {"reader has nothing elsewhere", reader, Access::kRead, "other", false},
      {"writer pulls", writer, Access::kRead, "notes", true},
      {"writer pushes", writer, Access::kWrite, "notes", true},
      {"writer may not administer", writer, Access::kAdmin, "notes", false},
      {"admin administers its database", admin, Access::kAdmin, "notes", true},
      {"admin of one is not node admin", admin, Access::kNodeAdmin, "", false},
      {"admin of one has nothing elsewhere", admin, Access::kRead, "other", false},
      {"* covers every database", everywhere_reader, Access::kRead, "other", true},
      {"* read is still read", everywhere_reader, Access::kWrite, "other", false},
      {"the highest grant wins", mixed, Access::kWrite, "notes", true},
      {"the highest grant only where it applies", mixed, Access::kWrite, "other", false},
      {"admin on * is node admin", node_admin, Access::kNodeAdmin, "", true},
      {"admin on * administers any database", node_admin, Access::kAdmin, "x", true},
      {"no grants, no reading", nobody, Access::kRead, "notes", false},
      {"the admin key does everything", key, Access::kNodeAdmin, "", true},
      {"the admin key writes anywhere", key, Access::kWrite, "x", true},
      {"the admin key reads metrics", key, Access::kMetrics, "", true},
      {"a node admin reads metrics", node_admin, Access::kMetrics, "", true},
      {"an admin of one database does not", admin, Access::kMetrics, "", false},
      {"the scrape token reads metrics", scraper, Access::kMetrics, "", true},
      {"the scrape token reads public routes", scraper, Access::kPublic, "", true},
      {"the scrape token is not signed in", scraper, Access::kSignedIn, "", false},
      {"the scrape token reads no database", scraper, Access::kRead, "notes", false},
  };
  for (const Case& c : cases) {
    Status s = CheckAccess(c.who, c.need, c.db);
    EXPECT_EQ(s.ok(), c.allowed) << c.name << ": " << s.ToString();
    if (!c.allowed) {
      EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << c.name;
    }
  }
}

TEST(AccessTest, RefusalSaysWhatIsMissing) {
  Status s = CheckAccess(User({{"notes", Role::kRead}}), Access::kWrite, "notes");
  EXPECT_EQ(s.message(),
            "user 'u' has only the read role on database 'notes'; this request needs write");
}

}  // namespace
}  // namespace syncline
