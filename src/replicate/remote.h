// Remote: the destination side of synchronization as seen by the source. The net layer
// implements it over HTTP (net/http_remote.h); tests can wire it straight to a Receiver.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "replicate/destinations.h"
#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

// Not thread-safe: one per thread.
class Remote {
 public:
  virtual ~Remote() = default;
  // One protocol operation (receiver.h) on the destination's database.
  virtual Result<Json> Call(std::string_view op, const Json& request) = 0;
  // A binary operation: "chunks" (chunk_batch.h) or "chunk-recipes" (chunk_delta.h).
  virtual Result<Json> SendBinary(std::string_view op, std::string_view body) = 0;
};

using RemoteFactory = std::function<std::unique_ptr<Remote>(const Destination&)>;

}  // namespace syncline
