// HttpRemote: a Remote that speaks the sync protocol to a destination's /sync/proto endpoints.
#pragma once

#include <memory>

#include "replicate/remote.h"

namespace syncline {

// Each request fails after `timeout_seconds` in all, or after 30 s (or the timeout, if less)
// in which no byte moved: a silent or trickling destination cannot hold a sync forever.
std::unique_ptr<Remote> NewHttpRemote(const Destination& dest, int timeout_seconds = 600);

}  // namespace syncline
