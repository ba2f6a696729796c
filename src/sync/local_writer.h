// LocalWriter: writes made on this node by its users. Each one bumps this node's counter in the
// item's version vector, checks its precondition, and commits in one store transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chunk/file_writer.h"
#include "store/store.h"
#include "sync/collection_rules.h"
#include "sync/precondition.h"
#include "syncline/env.h"

namespace syncline {

// The metadata entry of a renamed file's tombstone that names the new file.
inline constexpr char kRenamedToKey[] = "syncline:renamed-to";

// One document of a bulk write. An empty body with `deleted` set deletes the document.
struct DocumentWrite {
  std::string collection;
  std::string key;
  std::string body;  // JSON object text, already validated
  Precondition precondition;
  bool resolves_conflict = false;  // see LocalWriter
};

// Every write is refused with Conflicted while the item holds an unresolved conflict (so a
// later resolve can never drop it silently), unless the caller says the write resolves it
// (`resolves_conflict`): the write then descends from both sides and the conflict goes.
// Thread-safe: the store serializes writers.
class LocalWriter {
 public:
  LocalWriter(Store* store, Clock* clock) : store_(store), clock_(clock) {}

  // Creates or replaces a document. PreconditionFailed if the write's precondition does not
  // hold for the live document (or its absence). REQUIRES: validated names, JSON object body.
  Result<Item> PutDocument(const std::string& db, const DocumentWrite& write);
  // All documents in one transaction, with consecutive etags; all or nothing.
  Result<std::vector<Item>> PutDocuments(const std::string& db,
                                         const std::vector<DocumentWrite>& writes);

  // Replaces the item with a tombstone. NotFound if absent or already deleted.
  Result<Item> Delete(const std::string& db, ItemKind kind, const std::string& collection,
                      const std::string& key, const Precondition& precondition,
                      bool resolves_conflict = false);

  // Makes `content` (whose chunks are stored) the file's current version with `metadata` (a JSON
  // object of strings).
  Result<Item> CommitFile(const std::string& db, const std::string& name,
                          const FileContent& content, const std::string& metadata,
                          const Precondition& precondition, bool resolves_conflict = false);

  // Sets and removes metadata entries of a live file.
  Result<Item> UpdateMetadata(const std::string& db, const std::string& name,
                              const std::map<std::string, std::string>& set,
                              const std::vector<std::string>& unset,
                              const Precondition& precondition, bool resolves_conflict = false);

  // Moves a live file to a new name: the old name becomes a tombstone, the new one holds the
  // same content and metadata. AlreadyExists if `to` is a live file.
  Result<Item> RenameFile(const std::string& db, const std::string& from, const std::string& to,
                          const Precondition& precondition, bool resolves_conflict = false);

 // Writes one document, or its tombstone when `item->deleted`, inside `txn`: each write of
  // PutDocuments, for callers that apply several writes with outcomes of their own (a client's
  // push). `current` gets the document as it was (an empty key when there was none).
  Status WriteDocument(WriteTransaction& txn, RulesCheck& rules, Item* item,
                       const Precondition& precondition, bool resolves_conflict, Item* current);

 private:
  // Reads the current item (if any), checks `precondition`, and sets `next`'s version vector to
  // the current one bumped for this node.
  Status Prepare(WriteTransaction& txn, Item* next, const Precondition& precondition,
                 bool must_be_live, Item* current, bool resolves);

  Store* store_;
  Clock* clock_;
};

}  // namespace syncline
