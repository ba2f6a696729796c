// Pull: the pages of one collection's changes a client asks for (docs/API.md, "Client sync").
// A page holds the changes after the client's cursor in etag order: documents put (projected
// to the client's fields), deleted, or gone out of the client's selection (its filter no longer
// matches them), and the cursor to send next. Sans-I/O over the Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "replicate/client_cursor.h"
#include "store/store.h"
#include "sync/filter.h"

namespace syncline {

inline constexpr int64_t kDefaultPullLimit = 1000;
inline constexpr int64_t kMaxPullLimit = 10000;

struct ClientPullRequest {
  std::string collection;
  std::string cursor;  // as the last page gave it; "" from the start
  int64_t limit = kDefaultPullLimit;
  PullSelection selection;
  bool with_total = false;  // count the changes left (for a sync's first page)
  int64_t pending_operations = -1;  // the client's unpushed changes it tells of; -1: none told
};

// What the client does with one document.
enum class PullAction { kSkip, kPut, kDelete, kGone };

struct PullChange {
  std::string key;
  int64_t etag = 0;
  PullAction action = PullAction::kPut;
  Json document;  // kPut only
  // kPut of a whole document nobody needed parsed (no filter, no fields): its stored JSON
  // text, sent as it is, and `document` stays null.
  std::string document_text;
};

struct ClientPullPage {
  std::vector<PullChange> changes;
  std::string cursor;
  bool more = false;
  std::optional<int64_t> total;  // changes left from the request's cursor, when asked
  int64_t schema_version = 0;    // of the collection's rules
};

// A change after the cursor: a tombstone is deleted, a document the selection takes is put,
// and one it does not is gone (the client may hold it from before). `initial`: a first pull
// meets this change as its document's only version (ClientCursor::first_until), so the
// client never got the document and only a put is sent.
PullAction ClassifyChange(bool deleted, bool selected, bool initial);
// A live document during a transition from one selection to another: put if it is newly
// selected or its fields changed, gone if it is no longer selected.
PullAction ClassifyTransition(bool was_selected, bool now_selected, bool fields_changed);

// InvalidArgument for a bad cursor, filter or limit.
Result<ClientPullPage> Pull(Store* store, const std::string& db, const ClientPullRequest& request);

}  // namespace syncline
