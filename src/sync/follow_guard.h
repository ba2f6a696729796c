// The guard of a followed collection (replicate/collection_followers.h): it takes its master's
// changes only, so a document write from anywhere else, a local writer or an incoming
// server-to-server sync, would make the replica diverge from its master without a trace.
#pragma once

#include "store/store.h"

namespace syncline {

// Conflicted if `ref` is a document of a collection that follows a master.
Status CheckNotFollowed(WriteTransaction& txn, const ItemRef& ref);

}  // namespace syncline
