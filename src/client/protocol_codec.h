// The client protocol's JSON (docs/API.md, "Client sync"), for any adapter that speaks it over
// some transport: requests are encoded, answers decoded through checked accessors (an answer is
// input from outside: a malformed one is ProtocolError, never a throw).
#pragma once

#include <vector>

#include "syncline/network_adapter.h"
#include "util/json.h"

namespace syncline {

Json EncodeRegistration(const Platform& platform);
Result<Registration> DecodeRegistration(const Json& answer);

Json EncodePullRequest(const PullRequest& request);
Result<PullPage> DecodePullPage(const Json& answer);

// The push body's JSON text.
std::string EncodePush(const std::vector<PushOperation>& ops);
// The results, which must be one per operation in `ops`' order.
Result<std::vector<PushResult>> DecodePushResults(const Json& answer,
                                                  const std::vector<PushOperation>& ops);

}  // namespace syncline
