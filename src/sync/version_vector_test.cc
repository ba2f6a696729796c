#include "sync/version_vector.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace syncline {

using Order = VersionVector::Order;

VersionVector VV(const std::string& json) { return *VersionVector::Parse(json); }

TEST(VersionVectorTest, AllFourComparisons) {
  EXPECT_EQ(VV(R"({"a":1,"b":2})").CompareTo(VV(R"({"b":2,"a":1})")), Order::kEqual);
  EXPECT_EQ(VV(R"({"a":2,"b":2})").CompareTo(VV(R"({"a":1,"b":2})")), Order::kNewer);
  EXPECT_EQ(VV(R"({"a":1})").CompareTo(VV(R"({"a":1,"b":1})")), Order::kOlder);
  EXPECT_EQ(VV(R"({"a":2})").CompareTo(VV(R"({"b":1})")), Order::kConcurrent);
  EXPECT_EQ(VV(R"({"a":2,"b":1})").CompareTo(VV(R"({"a":1,"b":2})")), Order::kConcurrent);
  EXPECT_EQ(VV("{}").CompareTo(VV("{}")), Order::kEqual);
  EXPECT_EQ(VV(R"({"a":0})").CompareTo(VV("{}")), Order::kEqual);  // zero means never written
}

TEST(VersionVectorTest, BumpMakesNewer) {
  VersionVector v = VV(R"({"a":1})");
  VersionVector w = v;
  w.Bump("b");
  EXPECT_EQ(w.CompareTo(v), Order::kNewer);
  EXPECT_EQ(w.Get("b"), 1u);
  EXPECT_EQ(VV(w.ToJson()).CompareTo(w), Order::kEqual);
}

TEST(VersionVectorTest, RefusesBadJson) {
  EXPECT_FALSE(VersionVector::Parse("[]").ok());
  EXPECT_FALSE(VersionVector::Parse(R"({"a":-1})").ok());
  EXPECT_FALSE(VersionVector::Parse(R"({"a":"1"})").ok());
}

namespace {
VersionVector FromMap(const std::map<std::string, uint8_t>& m) {
  VersionVector v;
  for (const auto& [node, n] : m) {
    for (int i = 0; i < n; ++i) v.Bump(node.substr(0, 1));  // few nodes: more overlap
  }
  return v;
}
}  // namespace

RC_GTEST_PROP(VersionVectorProperty, CompareIsAntisymmetric,
              (const std::map<std::string, uint8_t>& a, const std::map<std::string, uint8_t>& b)) {
  VersionVector x = FromMap(a), y = FromMap(b);
  Order xy = x.CompareTo(y), yx = y.CompareTo(x);
  if (xy == Order::kNewer) RC_ASSERT(yx == Order::kOlder);
  if (xy == Order::kOlder) RC_ASSERT(yx == Order::kNewer);
  if (xy == Order::kEqual) RC_ASSERT(yx == Order::kEqual);
  if (xy == Order::kConcurrent) RC_ASSERT(yx == Order::kConcurrent);
}

RC_GTEST_PROP(VersionVectorProperty, MergeDescendsFromBoth,
              (const std::map<std::string, uint8_t>& a, const std::map<std::string, uint8_t>& b)) {
  VersionVector x = FromMap(a), y = FromMap(b), m = x;
  m.Merge(y);
  RC_ASSERT(m.CompareTo(x) != Order::kOlder && m.CompareTo(x) != Order::kConcurrent);
  RC_ASSERT(m.CompareTo(y) != Order::kOlder && m.CompareTo(y) != Order::kConcurrent);
}

}  // namespace syncline
