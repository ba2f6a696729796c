// The collection tree's arithmetic: node ranges, and sums that add and remove in any order.
#include "store/collection_tree.h"

#include <gtest/gtest.h>

namespace syncline {
namespace {

TEST(CollectionTreeTest, NodesCoverTheirKeyHashRanges) {
  struct Case {
    TreeNode node;
    uint32_t first, last;
  };
  const Case cases[] = {
      {{0, 0}, 0, UINT32_MAX},
      {{1, 0}, 0, 0x0fffffff},
      {{1, 15}, 0xf0000000, UINT32_MAX},
      {{2, 0x3a}, 0x3a000000, 0x3affffff},
      {{4, 0xbeef}, 0xbeef0000, 0xbeefffff},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.node.FirstKeyHash(), c.first) << c.node.level << "/" << c.node.prefix;
    EXPECT_EQ(c.node.LastKeyHash(), c.last) << c.node.level << "/" << c.node.prefix;
    EXPECT_EQ(NodeOfKeyHash(c.first, c.node.level), c.node);
    EXPECT_EQ(NodeOfKeyHash(c.last, c.node.level), c.node);
  }
}

TEST(CollectionTreeTest, ValidNodesAndFamily) {
  struct Case {
    TreeNode node;
    bool valid;
  };
  const Case cases[] = {
      {{0, 0}, true},   {{0, 1}, false},       {{1, 15}, true},   {{1, 16}, false},
      {{4, 0xffff}, true}, {{4, 0x10000}, false}, {{5, 0}, false}, {{-1, 0}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.node.Valid(), c.valid) << c.node.level << "/" << c.node.prefix;
  }
  TreeNode n{2, 0x3a};
  EXPECT_EQ(n.Child(5), (TreeNode{3, 0x3a5}));
  EXPECT_EQ(n.Child(5).AncestorAt(1), (TreeNode{1, 0x3}));
  EXPECT_EQ(n.AncestorAt(0), TreeNode{});
}

TEST(CollectionTreeTest, SumsAreOrderFreeAndRemovalUndoesAdd) {
  Sha256Digest a = TreeDocumentHash("a", "{}", "{}");
  Sha256Digest b = TreeDocumentHash("b", "{}", "{}");
  Sha256Digest c = TreeDocumentHash("c", "{}", "{}");
  TreeSum x, y, empty;
  x.Add(a);
  x.Add(b);
  x.Add(c);
  y.Add(c);
  y.Add(a);
  y.Add(b);
  EXPECT_EQ(x, y);
  EXPECT_EQ(x.Digest(), y.Digest());
  EXPECT_EQ(x.count(), 3);
  y.Remove(b);
  EXPECT_NE(x, y);
  EXPECT_NE(x.Digest(), y.Digest());
  y.Remove(a);
  y.Remove(c);
  EXPECT_TRUE(y.empty());
  EXPECT_EQ(y.Digest(), empty.Digest());
  // A carry runs through every byte: all ones plus one is zero.
  std::array<uint8_t, 32> ones;
  ones.fill(0xff);
  std::array<uint8_t, 32> one{};
  one[31] = 1;
  TreeAddInPlace(&ones, one);
  EXPECT_EQ(ones, (std::array<uint8_t, 32>{}));
}

TEST(CollectionTreeTest, DocumentHashCoversKeyVersionAndBody) {
  Sha256Digest base = TreeDocumentHash("k", R"({"n":1})", R"({"x":1})");
  EXPECT_EQ(base, TreeDocumentHash("k", R"({"n":1})", R"({"x":1})"));
  EXPECT_NE(base, TreeDocumentHash("k2", R"({"n":1})", R"({"x":1})"));
  EXPECT_NE(base, TreeDocumentHash("k", R"({"n":2})", R"({"x":1})"));
  EXPECT_NE(base, TreeDocumentHash("k", R"({"n":1})", R"({"x":2})"));
  // Parts are length-prefixed: moving a byte from one part to the next changes the hash.
  EXPECT_NE(TreeDocumentHash("ab", "c", ""), TreeDocumentHash("a", "bc", ""));
}

}  // namespace
}  // namespace syncline
