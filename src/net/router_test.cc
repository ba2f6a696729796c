// MatchPath, table-driven: which paths a pattern takes and what its placeholders get.
#include "net/router.h"

#include <gtest/gtest.h>

#include "net/url.h"

namespace syncline {
namespace {

struct Case {
  const char* pattern;
  const char* target;
  bool matches;
  const char* db;
  const char* collection;
  const char* rest;
};

TEST(RouterTest, MatchPath) {
  const Case cases[] = {
      {"/v1/db", "/v1/db", true, "", "", ""},
      {"/v1/db", "/v1/db/x", false, "", "", ""},
      {"/v1/db/{db}", "/v1/db", false, "", "", ""},
      {"/v1/db/{db}", "/v1/db/", false, "", "", ""},  // an empty placeholder is no match
      {"/v1/db/{db}", "/v1/db/photos", true, "photos", "", ""},
      {"/v1/db/{db}", "/v1/db/a%2Fb", true, "a/b", "", ""},  // decoded; the name check refuses it
      {"/v1/db/{db}/files", "/v1/db/p/files?limit=3", true, "p", "", ""},
      {"/v1/db/{db}/files/{name+}", "/v1/db/p/files", false, "", "", ""},
      {"/v1/db/{db}/files/{name+}", "/v1/db/p/files/a/b.jpg", true, "p", "", "a/b.jpg"},
      {"/v1/db/{db}/files/{name+}", "/v1/db/p/files/a//b", true, "p", "", "a//b"},
      {"/v1/db/{db}/files/{name+}", "/v1/db/p/files/", false, "", "", ""},
      {"/v1/db/{db}/docs/{collection}/{key+}", "/v1/db/p/docs/users/al%20ice", true, "p", "users",
       "al ice"},
      {"/v1/db/{db}/docs/{collection}", "/v1/db/p/docs/users/alice", false, "", "", ""},
      {"/v1/db/{db}/sync/proto/{op}", "/v1/db/p/sync/proto/state", true, "p", "", "state"},
      {"/v1/db/{db}/sync/proto/{op}", "/v1/db/p/sync/proto/state/x", false, "", "", ""},
      {"/v1/db/{db}/sync/proto/chunks", "/v1/db/p/sync/proto/state", false, "", "", ""},
      {"/", "/", true, "", "", ""},
      {"/", "/studio", false, "", "", ""},
      {"/studio/{asset*}", "/studio/", true, "", "", ""},  // {x*} may be empty
      {"/studio/{asset*}", "/studio/js/app.js", true, "", "", "js/app.js"},
      {"/studio/{asset*}", "/studio", false, "", "", ""},
  };
  for (const Case& c : cases) {
    std::optional<Target> t = ParseTarget(c.target);
    ASSERT_TRUE(t) << c.target;
    PathParams p;
    EXPECT_EQ(MatchPath(c.pattern, t->segments, &p), c.matches) << c.pattern << " " << c.target;
    if (!c.matches) continue;
    EXPECT_EQ(p.db, c.db) << c.target;
    EXPECT_EQ(p.collection, c.collection) << c.target;
    EXPECT_EQ(p.rest, c.rest) << c.target;
  }
}

}  // namespace
}  // namespace syncline
