// The built-in resolvers, as a table; and that they are deterministic.
#include "syncline/resolver.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

MaybeDocument Doc(const char* json) {
  if (json == nullptr) return std::nullopt;
  return nlohmann::json::parse(json);
}

TEST(ResolverTest, Table) {
  struct Case {
    const char* resolver;
    const char* local;   // null: deleted
    const char* server;  // null: deleted
    const char* kept;    // null: deleted
  };
  const Case cases[] = {
      {"server-wins", R"({"a":1})", R"({"a":2})", R"({"a":2})"},
      {"server-wins", R"({"a":1})", nullptr, nullptr},
      {"client-wins", R"({"a":1})", R"({"a":2})", R"({"a":1})"},
      {"client-wins", nullptr, R"({"a":2})", nullptr},
      {"timestamp:t", R"({"t":5})", R"({"t":3})", R"({"t":5})"},
      {"timestamp:t", R"({"t":3})", R"({"t":5})", R"({"t":5})"},
      {"timestamp:t", R"({"t":5,"x":1})", R"({"t":5,"x":2})", R"({"t":5,"x":2})"},  // tie: server
      {"timestamp:t", R"({"t":"2026-11-24T10:00:00Z"})", R"({"t":"2026-11-23T10:00:00Z"})",
       R"({"t":"2026-11-24T10:00:00Z"})"},
      {"timestamp:t", R"({"x":1})", R"({"t":1})", R"({"t":1})"},  // no field loses
      {"timestamp:t", nullptr, R"({"t":1})", R"({"t":1})"},       // a delete has no time
      {"timestamp:t", R"({"t":1})", nullptr, R"({"t":1})"},
      {"timestamp:meta.at", R"({"meta":{"at":9}})", R"({"meta":{"at":2}})", R"({"meta":{"at":9}})"},
      {"merge:name,desc/price", R"({"name":"L","desc":"l","price":1})",
       R"({"name":"S","desc":"s","price":2,"stock":4})",
       R"({"name":"L","desc":"l","price":2,"stock":4})"},
      {"merge:name/price", R"({"price":1})", R"({"name":"S","price":2})", R"({"price":2})"},
      {"merge:name/", nullptr, R"({"name":"S"})", R"({"name":"S"})"},
      {"merge:name/", R"({"name":"L"})", nullptr, R"({"name":"L"})"},
      {"merge:/price", R"({"name":"L"})", R"({"name":"S"})", R"({"name":"S"})"},
  };
  for (const Case& c : cases) {
    Result<Resolver> r = Resolver::Parse(c.resolver);
    ASSERT_TRUE(r.ok()) << c.resolver;
    MaybeDocument kept = r->Resolve("notes", Doc(c.local), Doc(c.server));
    EXPECT_EQ(kept, Doc(c.kept)) << c.resolver << " local=" << (c.local ? c.local : "deleted")
                                 << " server=" << (c.server ? c.server : "deleted");
    // Deterministic: the same inputs, the same answer.
    EXPECT_EQ(r->Resolve("notes", Doc(c.local), Doc(c.server)), kept) << c.resolver;
  }
}

TEST(ResolverTest, ParseRefusesUnknownNames) {
  for (const char* bad : {"", "newest", "timestamp:", "merge:a,b"}) {
    Result<Resolver> r = Resolver::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Resolver::Parse("merge:a,b/c")->name(), "merge:a,b/c");
}

TEST(ResolverTest, CustomFunction) {
  Resolver r = Resolver::Custom("keep-profile", [](const std::string& collection,
                                                   const MaybeDocument& local,
                                                   const MaybeDocument& server) -> MaybeDocument {
    if (collection != "users" || !local || !server) return server;
    nlohmann::json out = *server;
    if (local->contains("profile")) out["profile"] = (*local)["profile"];
    return out;
  });
  EXPECT_EQ(r.Resolve("users", Doc(R"({"profile":1,"x":1})"), Doc(R"({"profile":2,"x":2})")),
            Doc(R"({"profile":1,"x":2})"));
  EXPECT_EQ(r.Resolve("items", Doc(R"({"x":1})"), Doc(R"({"x":2})")), Doc(R"({"x":2})"));
}

}  // namespace
}  // namespace syncline
