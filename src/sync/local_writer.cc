// LocalWriter: precondition checks and version vector bumps around store transactions.
#include "sync/local_writer.h"

#include "sync/collection_rules.h"
#include "sync/conflicts.h"
#include "sync/follow_guard.h"
#include "sync/item_lock.h"
#include "sync/version_vector.h"
#include "util/json.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

// The collection's rules on a document write: `next` replaces `current` (as Prepare filled it:
// an empty key when there was none). Bodies are JSON this node stored or validated.
Status CheckRules(RulesCheck& rules, const Item& next, const Item& current) {
  SYNCLINE_ASSIGN_OR_RETURN(bool has, rules.Has(next.collection));
  if (!has) return Status::OK();  // most collections: no document is parsed for nothing
  std::optional<Json> before, after;
  if (!current.key.empty() && !current.deleted) before = ParseStoredJson(current.body);
  if (!next.deleted) after = ParseStoredJson(next.body);
  return rules.Check(next.collection, before ? &*before : nullptr, after ? &*after : nullptr);
}

}  // namespace

Status LocalWriter::Prepare(WriteTransaction& txn, Item* next, const Precondition& precondition,
                            bool must_be_live, Item* current, bool resolves) {
  int64_t now = clock_->NowMicros();
  SYNCLINE_RETURN_IF_ERROR(CheckNotFollowed(txn, {next->kind, next->collection, next->key}));
  SYNCLINE_RETURN_IF_ERROR(
      CheckItemLock(txn, {next->kind, next->collection, next->key}, "", now));
  Result<Item> cur = txn.Get(next->kind, next->collection, next->key);
  if (!cur.ok() && !cur.status().IsNotFound()) return cur.status();
  bool live = cur.ok() && !cur->deleted;
  if (must_be_live && !live) {
    return Status::NotFound(std::string(ItemKindName(next->kind)) + " '" + next->key +
                            "' not found");
  }
  SYNCLINE_RETURN_IF_ERROR(
      precondition.CheckWrite(live ? std::optional<int64_t>(cur->etag) : std::nullopt));
  // A recreated item descends from its tombstone, so the delete is not resurrected by sync.
  std::string base = cur.ok() ? cur->version_vector : "{}";
  // A write never silently replaces a conflict: it is refused, or it resolves it.
  SYNCLINE_RETURN_IF_ERROR(CheckLocalWriteOnConflict(txn, next->ref(), resolves, &base));
  SYNCLINE_ASSIGN_OR_RETURN(VersionVector vv, VersionVector::Parse(base));
  if (cur.ok() && current) *current = *cur;
  vv.Bump(store_->node_id());
  next->version_vector = vv.ToJson();
  next->updated_at = now;
  return Status::OK();
}

Status LocalWriter::WriteDocument(WriteTransaction& txn, RulesCheck& rules, Item* item,
                                  const Precondition& precondition, bool resolves_conflict,
                                  Item* current) {
  SYNCLINE_RETURN_IF_ERROR(Prepare(txn, item, precondition, false, current, resolves_conflict));
  SYNCLINE_RETURN_IF_ERROR(CheckRules(rules, *item, *current));
  return txn.Put(item);
}

Result<Item> LocalWriter::PutDocument(const std::string& db, const DocumentWrite& write) {
  SYNCLINE_ASSIGN_OR_RETURN(auto items, PutDocuments(db, {write}));
  return std::move(items[0]);
}

Result<std::vector<Item>> LocalWriter::PutDocuments(const std::string& db,
                                                    const std::vector<DocumentWrite>& writes) {
  std::vector<Item> out;
  Status s = store_->Write(db, [&](WriteTransaction& txn) -> Status {
    out.clear();
    out.reserve(writes.size());
    RulesCheck rules(txn);
    for (const auto& w : writes) {
      Item item;
      item.kind = ItemKind::kDocument;
      item.collection = w.collection;
      item.key = w.key;
      item.body = w.body;
      Item cur;
      SYNCLINE_RETURN_IF_ERROR(
          WriteDocument(txn, rules, &item, w.precondition, w.resolves_conflict, &cur)
              .WithContext(w.collection + "/" + w.key));
      out.push_back(std::move(item));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

Result<Item> LocalWriter::Delete(const std::string& db, ItemKind kind,
                                 const std::string& collection, const std::string& key,
                                 const Precondition& precondition, bool resolves_conflict) {
  Item item;
  item.kind = kind;
  item.collection = collection;
  item.key = key;
  item.deleted = true;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    Item cur;
    SYNCLINE_RETURN_IF_ERROR(Prepare(txn, &item, precondition, true, &cur, resolves_conflict));
    if (kind == ItemKind::kDocument) {
      RulesCheck rules(txn);
      SYNCLINE_RETURN_IF_ERROR(CheckRules(rules, item, cur));
    }
    return txn.Put(&item);
  }));
  return item;
}

Result<Item> LocalWriter::CommitFile(const std::string& db, const std::string& name,
                                     const FileContent& content, const std::string& metadata,
                                     const Precondition& precondition, bool resolves_conflict) {
  Item item;
  item.kind = ItemKind::kFile;
  item.key = name;
  item.size = content.size;
  item.content_hash = content.content_hash;
  item.manifest = content.manifest;
  item.metadata = metadata;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    SYNCLINE_RETURN_IF_ERROR(Prepare(txn, &item, precondition, false, nullptr, resolves_conflict));
    return txn.Put(&item);
  }));
  return item;
}

Result<Item> LocalWriter::UpdateMetadata(const std::string& db, const std::string& name,
                                         const std::map<std::string, std::string>& set,
                                         const std::vector<std::string>& unset,
                                         const Precondition& precondition, bool resolves_conflict) {
  Item item;
  item.kind = ItemKind::kFile;
  item.key = name;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    Item cur;
    SYNCLINE_RETURN_IF_ERROR(Prepare(txn, &item, precondition, true, &cur, resolves_conflict));
    SYNCLINE_ASSIGN_OR_RETURN(Json meta, ParseJson(cur.metadata));
    for (const auto& k : unset) meta.erase(k);
    for (const auto& [k, v] : set) meta[k] = v;
    item.size = cur.size;
    item.content_hash = cur.content_hash;
    item.manifest = cur.manifest;
    item.metadata = meta.dump();
    return txn.Put(&item);
  }));
  return item;
}

Result<Item> LocalWriter::RenameFile(const std::string& db, const std::string& from,
                                     const std::string& to, const Precondition& precondition,
                                     bool resolves_conflict) {
  if (from == to) return Status::InvalidArgument("rename needs two different names");
  Item tombstone, moved;
  tombstone.kind = moved.kind = ItemKind::kFile;
  tombstone.key = from;
  tombstone.deleted = true;
  tombstone.metadata = Json{{kRenamedToKey, to}}.dump();  // lets sync send a rename
  moved.key = to;
  SYNCLINE_RETURN_IF_ERROR(store_->Write(db, [&](WriteTransaction& txn) -> Status {
    Item cur;
    SYNCLINE_RETURN_IF_ERROR(Prepare(txn, &tombstone, precondition, true, &cur, resolves_conflict));
    Result<Item> target = txn.Get(ItemKind::kFile, "", to);
    if (target.ok() && !target->deleted) {
      return Status::AlreadyExists("file '" + to + "' already exists");
    }
    SYNCLINE_RETURN_IF_ERROR(Prepare(txn, &moved, std::nullopt, false, nullptr, resolves_conflict));
    moved.size = cur.size;
    moved.content_hash = cur.content_hash;
    moved.manifest = cur.manifest;
    moved.metadata = cur.metadata;
    SYNCLINE_RETURN_IF_ERROR(txn.Put(&tombstone));
    return txn.Put(&moved);
  }));
  return moved;
}

}  // namespace syncline
