// The guard of a followed collection (follow_guard.h).
#include "sync/follow_guard.h"

namespace syncline {

Status CheckNotFollowed(WriteTransaction& txn, const ItemRef& ref) {
  if (ref.kind != ItemKind::kDocument) return Status::OK();
  SYNCLINE_ASSIGN_OR_RETURN(auto follower, txn.GetFollower(ref.collection));
  if (!follower) return Status::OK();
  return Status::Conflicted("collection '" + ref.collection + "' follows " +
                            follower->master_url + "; `syncline replicate stop` before writing " +
                            "to it here");
}

}  // namespace syncline
