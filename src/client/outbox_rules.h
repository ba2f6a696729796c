// The client's decision functions over its outbox: how a local write folds into the change
// already waiting for its document, what a resolved conflict leaves to send, and whether a
// change from the server may be applied now. Pure; table-tested in outbox_rules_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "syncline/resolver.h"

namespace syncline {

// The newest outbox row of one document, as the rules need it.
struct OutboxRowView {
  std::string op;     // create, update, delete
  std::string state;  // pending, sent, failed
};

enum class LocalWrite { kPut, kRemove };

struct CoalesceStep {
  enum class Kind {
    kNothing,   // write the document only: the server never had it and need not hear of it
    kInsert,    // a new row `op` with `base_etag` (-1: set when the row before it is answered)
    kRewrite,   // the waiting row becomes `op` with the new document (its base is kept)
    kDrop,      // the waiting row goes: the change cancels it (create then delete)
    kNotFound,  // a remove of a document that is not there
  };
  Kind kind = Kind::kNothing;
  std::string op;
  int64_t base_etag = 0;
};

// `last`: the document's newest outbox row, if any. `doc_exists`, `doc_etag`: the local
// document and the server etag it is based on (0: the server never had it).
CoalesceStep Coalesce(const std::optional<OutboxRowView>& last, LocalWrite write,
                      bool doc_exists, int64_t doc_etag);

// What a conflict's resolved document leaves to do, given the server's document.
struct ResolvedStep {
  enum class Kind {
    kTakeServer,  // the resolution is the server's document: nothing to send
    kSend,        // send `op` based on the server's etag
  };
  Kind kind = Kind::kTakeServer;
  std::string op;
};
ResolvedStep DecideResolved(const MaybeDocument& resolved, const MaybeDocument& server);

// What to do with a change from the server for a document that has outbox rows.
enum class IncomingStep {
  kApply,    // no local change waits: apply it
  kResolve,  // a local change waits: resolve the two now, so the push that follows succeeds
  kSkip,     // leave the document as it is: a change is on its way (sent) or failed and waits
             // for its handler, or the server only says the document left the filter
};
// `first_state`: the state of the document's oldest outbox row ("" if none); `gone`: the
// server's change is only that the document no longer matches the client's filter.
IncomingStep DecideIncoming(const std::string& first_state, bool gone);

}  // namespace syncline
