// ClientCursor: where a client's pull of one collection stands. Opaque to clients: the server
// hands one out with every page and takes it back with the next pull. It carries the filter
// and fields it was made under, so a pull with other ones knows what the client holds and
// sends only the difference (a transition), and the server keeps no state a lost answer could
// put out of step with the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

// Which documents of a collection a client pulls: a filter (null: all) and fields (empty: all).
struct PullSelection {
  Json filter;
  std::vector<std::string> fields;
  bool operator==(const PullSelection&) const = default;
};

struct ClientCursor {
  int64_t etag = 0;         // every change up to this etag is applied
  PullSelection selection;  // what the client holds was pulled with this

  // Set while the client moves from `from` to `selection`: live documents with etag <= `etag`
  // are walked in key order after `after_key`, and those whose membership or fields changed
  // are sent.
  struct Transition {
    PullSelection from;
    std::string after_key;
  };
  std::optional<Transition> transition;

  // Set while a first pull with a filter on an indexed field walks that index in key order
  // (instead of every change of the collection): matches after `after_key`, then the changes
  // after `snapshot_etag`, the database's last etag when the walk began.
  struct IndexWalk {
    std::string after_key;
    int64_t snapshot_etag = 0;
  };
  std::optional<IndexWalk> walk;
  // The client holds documents although `etag` is 0 (its selection changed during a walk):
  // the changes from the start are sent with deletes and gones, not as a first pull.
  bool holds = false;
  // A first pull: the database's last etag when it began. A change up to it is the only
  // version of its document the pull can meet, so the client never got an earlier one: a
  // tombstone or a document the filter does not select is skipped, not sent as a delete or
  // a gone. 0: none is skipped.
  int64_t first_until = 0;
};

// Text form: base64 of a small JSON object; "" is the start of a collection.
std::string EncodeCursor(const ClientCursor& cursor);
// InvalidArgument for text that no server made.
Result<ClientCursor> DecodeCursor(const std::string& text);

}  // namespace syncline
