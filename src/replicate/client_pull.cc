#include "replicate/client_pull.h"

#include "sync/collection_rules.h"
#include "sync/indexed_lookup.h"
#include "sync/projection.h"
#include "util/json_reader.h"

namespace syncline {

namespace {

// A selection ready to test documents against.
struct Selector {
  std::optional<Filter> filter;
  const std::vector<std::string>* fields;

  bool Selects(const Json& doc) const { return !filter || filter->Matches(doc); }
  Json Project(const Json& doc) const { return ProjectFields(doc, *fields); }
};

Result<Selector> MakeSelector(const PullSelection& s) {
  Selector out{std::nullopt, &s.fields};
  if (!s.filter.is_null()) {
    SYNCLINE_ASSIGN_OR_RETURN(Filter f, Filter::Parse(s.filter));
    out.filter = std::move(f);
  }
  return out;
}

// The changes after cursor.etag, in etag order.
Status PullChanges(Store* store, const std::string& db, const ClientPullRequest& req,
                   const Selector& sel, ClientCursor* cursor, ClientPullPage* page) {
  SYNCLINE_ASSIGN_OR_RETURN(
      std::vector<Item> items,
      store->ListCollectionChanges(db, req.collection, cursor->etag, req.limit));
  // Most pulls have no filter and no fields: their documents go as stored, never parsed.
  const bool whole = !sel.filter && sel.fields->empty();
  for (Item& item : items) {
    const bool initial = !cursor->holds && item.etag <= cursor->first_until;
    Json doc = item.deleted || whole ? Json() : ParseStoredJson(item.body);
    bool selected = !item.deleted && (whole || sel.Selects(doc));
    PullAction action = ClassifyChange(item.deleted, selected, initial);
    if (action == PullAction::kSkip) continue;
    PullChange c{item.key, item.etag, action, Json(), ""};
    if (action == PullAction::kPut && whole) c.document_text = std::move(item.body);
    if (action == PullAction::kPut && !whole) c.document = sel.Project(doc);
    page->changes.push_back(std::move(c));
  }
  if (!items.empty()) cursor->etag = items.back().etag;
  page->more = static_cast<int64_t>(items.size()) == req.limit;
  return Status::OK();
}

// One page of a first pull through a field index: the live documents the index finds for the
// filter's pinned value, in key order. The changes after the walk's snapshot follow it (those
// made during the walk included: a document put twice is harmless, none is missed).
Status PullIndexWalk(Store* store, const std::string& db, const ClientPullRequest& req,
                     const Selector& sel, const IndexedLookup& lookup, ClientCursor* cursor,
                     ClientPullPage* page) {
  ClientCursor::IndexWalk& walk = *cursor->walk;
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Item> items,
                            store->FindByField(db, req.collection, lookup.field, lookup.value,
                                               walk.after_key, req.limit));
  for (const Item& item : items) {
    Json doc = ParseStoredJson(item.body);
    if (!sel.Selects(doc)) continue;  // the rest of the filter
    page->changes.push_back({item.key, item.etag, PullAction::kPut, sel.Project(doc), ""});
  }
  if (static_cast<int64_t>(items.size()) == req.limit) {
    walk.after_key = items.back().key;
  } else {
    cursor->etag = walk.snapshot_etag;
    cursor->walk.reset();
  }
  page->more = true;
  return Status::OK();
}

// Starts an index walk for a first pull whose filter an index can answer.
Status MaybeStartWalk(Store* store, const std::string& db, const ClientPullRequest& req,
                      ClientCursor* cursor, std::optional<IndexedLookup>* lookup) {
  SYNCLINE_ASSIGN_OR_RETURN(*lookup,
                            FindIndexedLookup(store, db, req.collection, req.selection.filter));
  if (!*lookup) return Status::OK();
  if (!cursor->walk) {
    if (cursor->etag != 0 || cursor->holds || cursor->transition) return Status::OK();
    SYNCLINE_ASSIGN_OR_RETURN(DatabaseInfo info, store->GetDatabase(db));
    cursor->walk = ClientCursor::IndexWalk{"", info.last_etag};
  }
  return Status::OK();
}

// One page of a transition: live documents up to cursor.etag in key order.
Status PullTransition(Store* store, const std::string& db, const ClientPullRequest& req,
                      const Selector& now, ClientCursor* cursor, ClientPullPage* page) {
  ClientCursor::Transition& tr = *cursor->transition;
  SYNCLINE_ASSIGN_OR_RETURN(Selector was, MakeSelector(tr.from));
  bool fields_changed = tr.from.fields != req.selection.fields;
  ListOptions list;
  list.collection = req.collection;
  list.after = tr.after_key;
  list.limit = req.limit;
  SYNCLINE_ASSIGN_OR_RETURN(std::vector<Item> items, store->ListItems(db, list));
  for (const Item& item : items) {
    if (item.etag > cursor->etag) continue;  // comes with the changes after the transition
    Json doc = ParseStoredJson(item.body);
    PullAction action = ClassifyTransition(was.Selects(doc), now.Selects(doc), fields_changed);
    if (action == PullAction::kSkip) continue;
    PullChange c{item.key, item.etag, action, Json(), ""};
    if (action == PullAction::kPut) c.document = now.Project(doc);
    page->changes.push_back(std::move(c));
  }
  if (static_cast<int64_t>(items.size()) == req.limit) {
    tr.after_key = items.back().key;
  } else {
    cursor->transition.reset();  // done: the changes after cursor.etag come next
  }
  page->more = true;  // either way, something may follow
  return Status::OK();
}

// How many changes the pulls from `cursor` will send: what PullChanges classifies as sent. A
// filter is evaluated on every change left (once, for a sync's first page). During an index
// walk or a selection change it is the changes left, an upper bound.
Result<int64_t> CountLeft(Store* store, const std::string& db, const ClientPullRequest& req,
                          const Selector& sel, const ClientCursor& cursor) {
  const int64_t skip_until = cursor.holds ? 0 : cursor.first_until;
  if (cursor.walk || cursor.transition) {
    return store->CountCollectionChanges(db, req.collection, cursor.etag, 0);
  }
  if (!sel.filter) {
    return store->CountCollectionChanges(db, req.collection, cursor.etag, skip_until);
  }
  constexpr int64_t kScanPage = 1000;
  int64_t left = 0;
  for (int64_t since = cursor.etag;;) {
    SYNCLINE_ASSIGN_OR_RETURN(std::vector<Item> items,
                              store->ListCollectionChanges(db, req.collection, since, kScanPage));
    for (const Item& item : items) {
      bool selected = !item.deleted && sel.Selects(ParseStoredJson(item.body));
      bool initial = item.etag <= skip_until;
      if (ClassifyChange(item.deleted, selected, initial) != PullAction::kSkip) ++left;
    }
    if (static_cast<int64_t>(items.size()) < kScanPage) return left;
    since = items.back().etag;
  }
}

}  // namespace

PullAction ClassifyChange(bool deleted, bool selected, bool initial) {
  if (deleted) return initial ? PullAction::kSkip : PullAction::kDelete;
  if (selected) return PullAction::kPut;
  return initial ? PullAction::kSkip : PullAction::kGone;
}

PullAction ClassifyTransition(bool was_selected, bool now_selected, bool fields_changed) {
  if (now_selected) return was_selected && !fields_changed ? PullAction::kSkip : PullAction::kPut;
  return was_selected ? PullAction::kGone : PullAction::kSkip;
}

Result<ClientPullPage> Pull(Store* store, const std::string& db, const ClientPullRequest& req) {
  if (req.limit < 1 || req.limit > kMaxPullLimit) {
    return Status::InvalidArgument("'limit' must be from 1 to " + std::to_string(kMaxPullLimit));
  }
  SYNCLINE_ASSIGN_OR_RETURN(Selector sel, MakeSelector(req.selection));
  SYNCLINE_ASSIGN_OR_RETURN(ClientCursor cursor, DecodeCursor(req.cursor));
  // The client holds what it pulled with the cursor's selection: if it now asks for another,
  // walk what it holds and send the difference before going on. Part way through an index
  // walk it holds part of a selection: everything is sent again, with deletes and gones.
  if (cursor.selection != req.selection) {
    if (cursor.walk) {
      cursor.walk.reset();
      cursor.holds = true;
      cursor.first_until = 0;
    } else if (!cursor.transition && cursor.etag > 0) {
      cursor.transition = ClientCursor::Transition{cursor.selection, ""};
    }
  }
  cursor.selection = req.selection;
  std::optional<IndexedLookup> lookup;
  SYNCLINE_RETURN_IF_ERROR(MaybeStartWalk(store, db, req, &cursor, &lookup));
  if (cursor.etag == 0 && !cursor.holds && !cursor.walk && !cursor.transition) {
    SYNCLINE_ASSIGN_OR_RETURN(DatabaseInfo info, store->GetDatabase(db));
    cursor.first_until = info.last_etag;  // a first pull begins
  }
  ClientPullPage page;
  if (req.with_total) {
    SYNCLINE_ASSIGN_OR_RETURN(int64_t left, CountLeft(store, db, req, sel, cursor));
    page.total = left;
  }
  if (cursor.walk && lookup) {
    SYNCLINE_RETURN_IF_ERROR(PullIndexWalk(store, db, req, sel, *lookup, &cursor, &page));
  } else if (cursor.walk) {
    // The index went away during the walk: the whole collection from the start, as changes.
    cursor.walk.reset();
    cursor.holds = true;
    cursor.first_until = 0;
    SYNCLINE_RETURN_IF_ERROR(PullChanges(store, db, req, sel, &cursor, &page));
  } else if (cursor.transition) {
    SYNCLINE_RETURN_IF_ERROR(PullTransition(store, db, req, sel, &cursor, &page));
  } else {
    SYNCLINE_RETURN_IF_ERROR(PullChanges(store, db, req, sel, &cursor, &page));
  }
  page.cursor = EncodeCursor(cursor);
  SYNCLINE_ASSIGN_OR_RETURN(RulesRecord rules, GetRules(store, db, req.collection));
  page.schema_version = rules.schema_version;
  return page;
}

}  // namespace syncline
