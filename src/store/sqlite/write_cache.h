// WriteCache: what one SQLite write transaction remembers between its reads, so a batch of
// thousands of writes (a client's push) asks once per collection whether any item is locked,
// in conflict or followed, and reads an item once when a writer gets it twice before putting
// it. The transaction holds the database's write lock, so only its own writes can change
// these answers; each of them updates the cache.
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

  // Known to hold no lock row, or no conflict (a PutLock / PutConflict ends that).
  bool lock_free(const Scope& s) const { return Flag(lock_free_, s); }
  void set_lock_free(const Scope& s, bool free) { lock_free_[s] = free; }
  bool conflict_free(const Scope& s) const { return Flag(conflict_free_, s); }
  void set_conflict_free(const Scope& s, bool free) { conflict_free_[s] = free; }
  // Whether lock_free / conflict_free has been asked of the store yet.
  bool knows_locks(const Scope& s) const { return lock_free_.count(s) != 0; }
  bool knows_conflicts(const Scope& s) const { return conflict_free_.count(s) != 0; }

  // A collection's follower as read (nullopt inside: it follows no master).
  const std::optional<FollowerRecord>* follower(const std::string& collection) const {
    auto it = followers_.find(collection);
    return it == followers_.end() ? nullptr : &it->second;
  }
  void set_follower(const std::string& collection, std::optional<FollowerRecord> f) {
    followers_[collection] = std::move(f);
  }
  void forget_follower(const std::string& collection) { followers_.erase(collection); }

  // The item the last Get read (nullopt inside: it was absent), until the next Put.
  const std::optional<Item>* last_item(const ItemRef& ref) const {
    return last_item_ && last_ref_ == ref ? &*last_item_ : nullptr;
  }
  void set_last_item(ItemRef ref, std::optional<Item> item) {
    last_ref_ = std::move(ref);
    last_item_ = std::move(item);
  }
  void forget_last_item() { last_item_.reset(); }

 private:
  static bool Flag(const std::map<Scope, bool>& m, const Scope& s) {
    auto it = m.find(s);
    return it != m.end() && it->second;
  }

  std::map<Scope, bool> lock_free_;
  std::map<Scope, bool> conflict_free_;
  std::map<std::string, std::optional<FollowerRecord>> followers_;
  ItemRef last_ref_;
  std::optional<std::optional<Item>> last_item_;
};

}  // namespace syncline
