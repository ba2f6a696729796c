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
  for (const char* bad : {R"({"age": {"$regex": "x"}})", R"({"$nor": []})", R"({"$or": {}})",
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
