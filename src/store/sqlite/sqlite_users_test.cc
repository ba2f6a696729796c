// Users, grants and tokens in the SQLite store.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "testing/test_util.h"

namespace syncline {
namespace {

class SqliteUsersTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    ASSERT_NO_FATAL_FAILURE(testing::OpenTestStore(dir_, "", &store_));
  }
  static UserRecord Alice() {
    return {"alice", "$argon2id$hash1", {{"notes", Role::kWrite}, {"*", Role::kRead}}, 10, 10};
  }
  static TokenRecord Token(std::string hash, std::string user, int64_t created,
                           int64_t expires) {
    return {std::move(hash), std::move(user), created, expires};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteUsersTest, UsersAreCreatedReadListedAndKeptAcrossReopen) {
  ASSERT_OK(store_->CreateUser(Alice()));
  EXPECT_EQ(store_->CreateUser(Alice()).code(), Status::Code::kAlreadyExists);
  ASSERT_OK(store_->CreateUser({"bob", "$argon2id$hash2", {}, 11, 11}));
  Reopen();
  auto alice = store_->GetUser("alice");
  ASSERT_OK(alice.status());
  ASSERT_TRUE(alice->has_value());
  EXPECT_EQ((*alice)->password_hash, "$argon2id$hash1");
  // Grants come back ordered by database name.
  std::vector<Grant> want = {{"*", Role::kRead}, {"notes", Role::kWrite}};
  EXPECT_EQ((*alice)->grants, want);
  auto none = store_->GetUser("carol");
  ASSERT_OK(none.status());
  EXPECT_FALSE(none->has_value());
  auto all = store_->ListUsers();
  ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alice");
  EXPECT_EQ((*all)[1].name, "bob");
}

TEST_F(SqliteUsersTest, ANewPasswordRevokesTokensAndNewGrantsReplaceOld) {
  ASSERT_OK(store_->CreateUser(Alice()));
  ASSERT_OK(store_->PutToken(Token("t1", "alice", 100, 1000)));
  UserRecord same_password = Alice();
  same_password.grants = {{"notes", Role::kAdmin}};
  ASSERT_OK(store_->UpdateUser(same_password));
  auto t = store_->GetToken("t1");
  ASSERT_OK(t.status());
  EXPECT_TRUE(t->has_value()) << "grants changed, not the password: the token stays";
  auto alice = store_->GetUser("alice");
  ASSERT_OK(alice.status());
  EXPECT_EQ((*alice)->grants, same_password.grants);

  UserRecord new_password = same_password;
  new_password.password_hash = "$argon2id$hash3";
  ASSERT_OK(store_->UpdateUser(new_password));
  t = store_->GetToken("t1");
  ASSERT_OK(t.status());
  EXPECT_FALSE(t->has_value());
  EXPECT_EQ(store_->UpdateUser({"nobody", "x", {}, 0, 0}).code(), Status::Code::kNotFound);
}

TEST_F(SqliteUsersTest, RemovingAUserRemovesItsGrantsAndTokens) {
  ASSERT_OK(store_->CreateUser(Alice()));
  ASSERT_OK(store_->PutToken(Token("t1", "alice", 100, 1000)));
  ASSERT_OK(store_->DeleteUser("alice"));
  EXPECT_EQ(store_->DeleteUser("alice").code(), Status::Code::kNotFound);
  auto t = store_->GetToken("t1");
  ASSERT_OK(t.status());
  EXPECT_FALSE(t->has_value());
  // A new user of the same name starts with no grants of the old one.
  ASSERT_OK(store_->CreateUser({"alice", "$argon2id$other", {}, 20, 20}));
  auto alice = store_->GetUser("alice");
  ASSERT_OK(alice.status());
  EXPECT_TRUE((*alice)->grants.empty());
}

TEST_F(SqliteUsersTest, TokensAreStoredByHashDeletedAndPurgedOnceExpired) {
  ASSERT_OK(store_->CreateUser(Alice()));
  ASSERT_OK(store_->PutToken(Token("old", "alice", 100, 200)));
  ASSERT_OK(store_->PutToken(Token("live", "alice", 150, 5000)));
  auto old = store_->GetToken("old");
  ASSERT_OK(old.status());
  ASSERT_TRUE(old->has_value());
  EXPECT_EQ((*old)->user, "alice");
  EXPECT_EQ((*old)->expires_at, 200);
  // A token made after `old` expired purges it.
  ASSERT_OK(store_->PutToken(Token("new", "alice", 300, 5000)));
  old = store_->GetToken("old");
  ASSERT_OK(old.status());
  EXPECT_FALSE(old->has_value());
  ASSERT_OK(store_->DeleteToken("live"));
  ASSERT_OK(store_->DeleteToken("live"));  // absent: still OK
  auto live = store_->GetToken("live");
  ASSERT_OK(live.status());
  EXPECT_FALSE(live->has_value());
  auto fresh = store_->GetToken("new");
  ASSERT_OK(fresh.status());
  EXPECT_TRUE(fresh->has_value());
}

}  // namespace
}  // namespace syncline
