// WriteCache: what one SQLite write transaction remembers about each collection it touches,
// so a batch of thousands of writes (a client's push) asks once per collection whether any
// item is locked, in conflict or followed. The transaction holds the database's write lock,
// so only its own writes can change these answers; each of them updates the cache.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "store/item.h"
#include "store/job_record.h"

namespace syncline {

class WriteCache {
 public:
  using Scope = std::pair<ItemKind, std::string>;  // a kind of item in a collection
  enum class Rows { kLocks, kConflicts };         // the per-item tables asked about

  // Whether the scope may hold rows of that table: nullopt until the store has been asked;
  // false once it said none (a put of such a row makes it true again).
  std::optional<bool> may_hold(Rows rows, const Scope& s) const {
    auto it = may_hold_.find({rows, s});
    if (it == may_hold_.end()) return std::nullopt;
    return it->second;
  }
  void set_may_hold(Rows rows, const Scope& s, bool may) { may_hold_[{rows, s}] = may; }

  // A collection's follower as read (nullopt inside: it follows no master).
  const std::optional<FollowerRecord>* follower(const std::string& collection) const {
    auto it = followers_.find(collection);
    return it == followers_.end() ? nullptr : &it->second;
  }
  void set_follower(const std::string& collection, std::optional<FollowerRecord> f) {
    followers_[collection] = std::move(f);
  }
  void forget_follower(const std::string& collection) { followers_.erase(collection); }

 private:
  std::map<std::pair<Rows, Scope>, bool> may_hold_;
  std::map<std::string, std::optional<FollowerRecord>> followers_;
};

}  // namespace syncline
