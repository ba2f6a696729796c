// The replica's way to a master over HTTP: a MasterOpener (replicate/collection_jobs.h) that
// opens a snapshot with POST /v1/db/{db}/snapshots, reads it through the collection protocol
// and closes it when the source goes.
#pragma once

#include "replicate/collection_jobs.h"

namespace syncline {

MasterOpener NewHttpMasterOpener();

}  // namespace syncline
