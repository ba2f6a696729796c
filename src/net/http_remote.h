// HttpRemote: a Remote that speaks the sync protocol to a destination's /sync/proto endpoints.
#pragma once

#include <memory>

#include "replicate/remote.h"

namespace syncline {

std::unique_ptr<Remote> NewHttpRemote(const Destination& dest);

}  // namespace syncline
