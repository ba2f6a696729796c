// The replica's way to a master over HTTP: a MasterOpener (replicate/collection_jobs.h) that
// opens a snapshot with POST /v1/db/{db}/snapshots, reads it through the collection protocol
// and closes it when the source goes.
#pragma once

#include "replicate/collection_followers.h"
#include "replicate/collection_jobs.h"

namespace syncline {

MasterOpener NewHttpMasterOpener();

// A follower's master over HTTP: its change feed (GET /v1/db/{db}/changes, long-polled) and
// its documents, read through a snapshot per batch.
FeedOpener NewHttpFeedOpener();

}  // namespace syncline
