// CollectionRules: what an admin allows into a collection (issue 9). A validation rule in the
// filter language that every document written must match, fields that may not change once a
// document has them, and whether documents may be deleted. They apply to writes from users and
// clients (LocalWriter), not to what replication brings: the source checked its own writes.
//
// Rules are kept in the database's configuration under "rules/COLLECTION", with the
// collection's schema_version, which every change of the rules bumps (set or removed), so a
// client can tell that the rules it knew are stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "sync/filter.h"
#include "util/json.h"

namespace syncline {

struct CollectionRules {
  std::optional<Filter> validate;      // every written document must match it
  std::vector<std::string> immutable;  // dotted paths that may not change once set
  bool allow_delete = true;
};

// The rules of a collection as stored: the rules as given (null when none) and the version.
struct RulesRecord {
  Json rules;  // {"validate", "immutable", "allow_delete"}, or null
  int64_t schema_version = 0;
};

// Reads {"validate": FILTER, "immutable": [PATH, ...], "allow_delete": BOOL}, each optional,
// nothing else. InvalidArgument says what is wrong.
Result<CollectionRules> ParseRules(const Json& rules);

// OK if the rules allow replacing `current` (the live document, or null) with `next` (null for
// a delete). ValidationFailed names the condition, field or rule that refuses it.
Status CheckDocumentWrite(const CollectionRules& rules, const Json* current, const Json* next);

// The collection's record; schema_version 0 and null rules if it never had any.
Result<RulesRecord> GetRules(Store* store, const std::string& db, const std::string& collection);
Result<RulesRecord> GetRules(WriteTransaction& txn, const std::string& collection);
// Replaces the collection's rules (null removes them) and bumps its schema_version. Returns
// the new record. InvalidArgument if `rules` does not parse; nothing changes then.
Result<RulesRecord> SetRules(Store* store, const std::string& db, const std::string& collection,
                             const Json& rules);

// The rules of each collection a write transaction touches, read once per transaction.
class RulesCheck {
 public:
  explicit RulesCheck(WriteTransaction& txn) : txn_(txn) {}
  // CheckDocumentWrite with the collection's rules (OK if it has none).
  Status Check(const std::string& collection, const Json* current, const Json* next);
  // True if the collection has rules (so a caller parses documents only then).
  Result<bool> Has(const std::string& collection);

 private:
  Status Load(const std::string& collection);

  WriteTransaction& txn_;
  std::string collection_;  // whose rules `rules_` holds
  std::optional<std::optional<CollectionRules>> rules_;
};

}  // namespace syncline
