// Remote: the destination side of synchronization as seen by the source. The net layer
// implements it over HTTP (net/http_remote.h); tests can wire it straight to a Receiver.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "replicate/destinations.h"
#include "replicate/protocol.h"
#include "syncline/result.h"
#include "util/json.h"

namespace syncline {

// Not thread-safe: one per thread.
class Remote {
 public:
  virtual ~Remote() = default;
  // One protocol operation (receiver.h) on the destination's database. The reply is the
  // peer's JSON object, unchecked: decode it with protocol.h. A failed connection or timeout
  // is Unavailable; an error answer is its Status; a reply that is no JSON is ProtocolError.
  virtual Result<Json> Call(ProtoOp op, const Json& request) = 0;
  // A binary operation: kChunks (chunk_batch.h) or kChunkRecipes (chunk_delta.h).
  virtual Result<Json> SendBinary(ProtoOp op, std::string_view body) = 0;
};

using RemoteFactory = std::function<std::unique_ptr<Remote>(const Destination&)>;

}  // namespace syncline
