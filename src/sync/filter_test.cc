#include "sync/filter.h"

#include <gtest/gtest.h>

#include "sync/projection.h"

namespace syncline {

namespace {
const Json kDoc = Json::parse(R"({
  "name": "Alice", "age": 30, "tags": ["a", "b"],
  "address": {"city": "Oslo", "zip": "0150"}, "pets": [{"kind": "cat"}]
})");

bool Match(const std::string& filter) {
  auto f = Filter::Parse(Json::parse(filter));
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() && f->Matches(kDoc);
}
}  // namespace

TEST(FilterTest, ComparisonOperators) {
  EXPECT_TRUE(Match(R"({"age": 30})"));
  EXPECT_TRUE(Match(R"({"age": {"$eq": 30.0}})"));
  EXPECT_TRUE(Match(R"({"age": {"$ne": 31}})"));
  EXPECT_TRUE(Match(R"({"age": {"$gt": 29, "$lt": 31}})"));
  EXPECT_TRUE(Match(R"({"age": {"$gte": 30, "$lte": 30}})"));
  EXPECT_FALSE(Match(R"({"age": {"$gt": 30}})"));
  EXPECT_FALSE(Match(R"({"age": {"$lt": 30}})"));
  EXPECT_TRUE(Match(R"({"name": {"$gt": "Aa"}})"));
  EXPECT_FALSE(Match(R"({"name": {"$gt": 5}})"));  // strings and numbers do not compare
}

TEST(FilterTest, InNinAndExists) {
  EXPECT_TRUE(Match(R"({"name": {"$in": ["Bob", "Alice"]}})"));
  EXPECT_FALSE(Match(R"({"name": {"$nin": ["Bob", "Alice"]}})"));
  EXPECT_TRUE(Match(R"({"tags": "a"})"));  // an array field matches on any element
  EXPECT_TRUE(Match(R"({"tags": {"$in": ["z", "b"]}})"));
  EXPECT_TRUE(Match(R"({"email": {"$exists": false}})"));
  EXPECT_TRUE(Match(R"({"address": {"$exists": true}})"));
  EXPECT_TRUE(Match(R"({"email": {"$ne": "x"}})"));
}

TEST(FilterTest, DottedPathsAndArrayIndexes) {
  EXPECT_TRUE(Match(R"({"address.city": "Oslo"})"));
  EXPECT_TRUE(Match(R"({"pets.0.kind": "cat"})"));
  EXPECT_FALSE(Match(R"({"pets.1.kind": "cat"})"));
  EXPECT_FALSE(Match(R"({"address.city.x": "Oslo"})"));
}

TEST(FilterTest, AndOrAndImplicitAnd) {
  EXPECT_TRUE(Match(R"({"$or": [{"age": 1}, {"name": "Alice"}]})"));
  EXPECT_FALSE(Match(R"({"$and": [{"age": 30}, {"name": "Bob"}]})"));
  EXPECT_FALSE(Match(R"({"age": 30, "name": "Bob"})"));
  EXPECT_TRUE(Match(R"({})"));
}

TEST(FilterTest, RefusesUnknownOperatorsAndBadShapes) {
  for (const char* bad : {R"({"age": {"$where": "x"}})", R"({"$nor": []})", R"({"$or": {}})",
                          R"({"$or": []})", R"({"a": {"$in": 5}})", R"({"a": {"$exists": 1}})",
                          R"([1])"}) {
    auto f = Filter::Parse(Json::parse(bad));
    EXPECT_EQ(f.status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST(ProjectionTest, KeepsOnlyNamedPaths) {
  Json p = ProjectFields(kDoc, {"name", "address.city", "missing"});
  EXPECT_EQ(p, Json::parse(R"({"name": "Alice", "address": {"city": "Oslo"}})"));
  EXPECT_EQ(ProjectFields(kDoc, {}), kDoc);
}

}  // namespace syncline

namespace syncline {

TEST(FilterTest, TypeOperator) {
  struct Case {
    const char* filter;
    bool matches;
  };
  const Case cases[] = {
      {R"({"name": {"$type": "string"}})", true},
      {R"({"age": {"$type": "number"}})", true},
      {R"({"age": {"$type": "integer"}})", true},
      {R"({"age": {"$type": "string"}})", false},
      {R"({"tags": {"$type": "array"}})", true},
      {R"({"address": {"$type": "object"}})", true},
      {R"({"address.zip": {"$type": ["number", "string"]}})", true},
      {R"({"missing": {"$type": "null"}})", false},  // absent is not null
      {R"({"pets.0.kind": {"$type": "boolean"}})", false},
  };
  for (const Case& c : cases) EXPECT_EQ(Match(c.filter), c.matches) << c.filter;
  auto f = Filter::Parse(Json::parse(R"({"n": {"$type": "integer"}})"));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches(Json::parse(R"({"n": 3.0})")));
  EXPECT_FALSE(f->Matches(Json::parse(R"({"n": 3.5})")));
  EXPECT_TRUE(f->Matches(Json::parse(R"({"n": 1e300})"))) << "no integer type holds it";
  EXPECT_TRUE(Filter::Parse(Json::parse(R"({"n": {"$type": null}})")).ok() == false);
}

TEST(FilterTest, RegexOperator) {
  struct Case {
    const char* filter;
    bool matches;
  };
  const Case cases[] = {
      {R"({"name": {"$regex": "^Al"}})", true},
      {R"({"name": {"$regex": "^al"}})", false},
      {R"({"name": {"$regex": "^al", "$options": "i"}})", true},
      {R"({"name": {"$regex": "ice$"}})", true},
      {R"({"tags": {"$regex": "^b$"}})", true},  // any element of an array
      {R"({"age": {"$regex": "3"}})", false},    // numbers are not text
      {R"({"missing": {"$regex": ".*"}})", false},
      {R"({"address.city": {"$regex": "^O.l"}})", true},
      {R"({"$or": [{"name": {"$regex": "^B"}}, {"name": {"$regex": "^A"}}]})", true},
  };
  for (const Case& c : cases) EXPECT_EQ(Match(c.filter), c.matches) << c.filter;
}

TEST(FilterTest, BadTypeAndRegexAreRefused) {
  const char* bad[] = {
      R"({"a": {"$type": "date"}})",
      R"({"a": {"$type": []}})",
      R"({"a": {"$type": 3}})",
      R"({"a": {"$regex": 3}})",
      R"({"a": {"$regex": "("}})",
      R"({"a": {"$regex": "a", "$options": "x"}})",
      R"({"a": {"$options": "i"}})",
      R"({"a": {"$regex": "(a)\\1"}})",  // backreferences: not RE2
  };
  for (const char* f : bad) {
    auto r = Filter::Parse(Json::parse(f));
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << f;
  }
  std::string huge = R"({"a": {"$regex": ")" + std::string(2000, 'a') + R"("}})";
  EXPECT_EQ(Filter::Parse(Json::parse(huge)).status().code(), Status::Code::kInvalidArgument);
}

TEST(FilterTest, CopiesShareCompiledRegexes) {
  auto f = Filter::Parse(Json::parse(R"({"name": {"$regex": "^A"}})"));
  ASSERT_TRUE(f.ok());
  Filter copy = *f;
  EXPECT_TRUE(copy.Matches(kDoc));
}

}  // namespace syncline
