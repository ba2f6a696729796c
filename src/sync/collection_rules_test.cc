// Collection rules: the decision as a table, their storage and versions, and LocalWriter
// enforcing them.
#include "sync/collection_rules.h"

#include <gtest/gtest.h>

#include "sync/local_writer.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

CollectionRules Rules(const char* json) {
  Result<CollectionRules> r = ParseRules(Json::parse(json));
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : CollectionRules{};
}

TEST(CollectionRulesTest, DecisionTable) {
  const char* kRules = R"({"validate": {"title": {"$type": "string"}, "n": {"$gte": 0}},
                           "immutable": ["owner", "meta.created"], "allow_delete": false})";
  struct Case {
    const char* name;
    const char* current;  // null: no live document
    const char* next;     // null: a delete
    bool allowed;
    const char* says;     // part of the refusal's message
  };
  const Case cases[] = {
      {"a matching create", nullptr, R"({"title":"a","n":1,"owner":"ann"})", true, ""},
      {"a wrong type", nullptr, R"({"title":5,"n":1})", false, R"({"title":{"$type":"string"}})"},
      {"a failed comparison", nullptr, R"({"title":"a","n":-1})", false, R"({"n":{"$gte":0}})"},
      {"a missing required field", nullptr, R"({"n":1})", false, "title"},
      {"an update keeping owner", R"({"title":"a","n":1,"owner":"ann"})",
       R"({"title":"b","n":2,"owner":"ann"})", true, ""},
      {"an update changing owner", R"({"title":"a","n":1,"owner":"ann"})",
       R"({"title":"a","n":1,"owner":"bob"})", false, "field 'owner' is immutable"},
      {"an update dropping owner", R"({"title":"a","n":1,"owner":"ann"})",
       R"({"title":"a","n":1})", false, "field 'owner' is immutable"},
      {"an update setting owner for the first time", R"({"title":"a","n":1})",
       R"({"title":"a","n":1,"owner":"bob"})", true, ""},
      {"a nested immutable field", R"({"title":"a","n":1,"meta":{"created":5}})",
       R"({"title":"a","n":1,"meta":{"created":6}})", false, "meta.created"},
      {"a delete", R"({"title":"a","n":1})", nullptr, false, "do not allow deletes"},
  };
  CollectionRules rules = Rules(kRules);
  for (const Case& c : cases) {
    std::optional<Json> current, next;
    if (c.current) current = Json::parse(c.current);
    if (c.next) next = Json::parse(c.next);
    Status s = CheckDocumentWrite(rules, current ? &*current : nullptr, next ? &*next : nullptr);
    EXPECT_EQ(s.ok(), c.allowed) << c.name << ": " << s.ToString();
    if (!c.allowed) {
      EXPECT_EQ(s.code(), Status::Code::kValidationFailed) << c.name;
      EXPECT_NE(s.message().find(c.says), std::string::npos) << c.name << ": " << s.message();
    }
  }
  EXPECT_TRUE(CheckDocumentWrite(Rules("{}"), nullptr, nullptr).ok()) << "deletes by default";
}

TEST(CollectionRulesTest, BadRulesAreRefused) {
  for (const char* bad : {R"([])", R"({"validate": {"a": {"$bogus": 1}}})",
                          R"({"validate": 5})", R"({"immutable": "owner"})",
                          R"({"immutable": [1]})", R"({"immutable": [""]})",
                          R"({"allow_delete": "no"})", R"({"required": ["a"]})"}) {
    EXPECT_EQ(ParseRules(Json::parse(bad)).status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

class RulesStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "db", &store_)); }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RulesStoreTest, EveryChangeBumpsTheSchemaVersion) {
  auto none = GetRules(store_.get(), "db", "notes");
  ASSERT_OK(none.status());
  EXPECT_EQ(none->schema_version, 0);
  EXPECT_TRUE(none->rules.is_null());
  auto set = SetRules(store_.get(), "db", "notes", Json::parse(R"({"allow_delete": false})"));
  ASSERT_OK(set.status());
  EXPECT_EQ(set->schema_version, 1);
  auto bad = SetRules(store_.get(), "db", "notes", Json::parse(R"({"allow_delete": 3})"));
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  auto removed = SetRules(store_.get(), "db", "notes", Json());
  ASSERT_OK(removed.status());
  EXPECT_EQ(removed->schema_version, 2);
  auto again = SetRules(store_.get(), "db", "notes", Json::parse("{}"));
  ASSERT_OK(again.status());
  EXPECT_EQ(again->schema_version, 3) << "a removal does not reset the version";
  auto other = GetRules(store_.get(), "db", "other");
  ASSERT_OK(other.status());
  EXPECT_EQ(other->schema_version, 0);
}

TEST_F(RulesStoreTest, LocalWritesObeyTheRulesAndABulkIsAllOrNothing) {
  ASSERT_OK(SetRules(store_.get(), "db", "notes",
                     Json::parse(R"({"validate": {"title": {"$type": "string"}},
                                     "immutable": ["owner"], "allow_delete": false})"))
                .status());
  LocalWriter writer(store_.get(), Env::Default()->clock);
  auto put = [&](const char* key, const char* body) {
    return writer.PutDocument("db", {"notes", key, body, {}, false});
  };
  ASSERT_OK(put("a", R"({"title":"x","owner":"ann"})").status());
  EXPECT_EQ(put("b", R"({"title":1})").status().code(), Status::Code::kValidationFailed);
  EXPECT_EQ(put("a", R"({"title":"y","owner":"bob"})").status().code(),
            Status::Code::kValidationFailed);
  EXPECT_EQ(writer.Delete("db", ItemKind::kDocument, "notes", "a", {}).status().code(),
            Status::Code::kValidationFailed);
  // Another collection has no rules.
  ASSERT_OK(writer.PutDocument("db", {"other", "b", R"({"title":1})", {}, false}).status());
  ASSERT_OK(writer.Delete("db", ItemKind::kDocument, "other", "b", {}).status());

  auto bulk = writer.PutDocuments("db", {{"notes", "c", R"({"title":"ok"})", {}, false},
                                         {"notes", "d", R"({"title":null})", {}, false}});
  EXPECT_EQ(bulk.status().code(), Status::Code::kValidationFailed);
  EXPECT_TRUE(store_->GetItem("db", ItemKind::kDocument, "notes", "c").status().IsNotFound());
  auto a = store_->GetItem("db", ItemKind::kDocument, "notes", "a");
  ASSERT_OK(a.status());
  EXPECT_EQ(a->body, R"({"title":"x","owner":"ann"})");
}

}  // namespace
}  // namespace syncline
