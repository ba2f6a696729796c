// One HTTP connection: a coroutine looping read, handle, write. Internal to net/.
#pragma once

#include "net/api.h"
#include "net/asio.h"
#include "net/change_waiters.h"
#include "net/http_limits.h"

namespace syncline {

struct SessionContext {
  Api* api;
  ChangeWaiters* waiters;
  // Runs requests that can take minutes (Api::IsSlow), so they never hold an io thread.
  asio::thread_pool* slow_pool;
  const HttpLimits* limits;
  MemoryBudget* body_budget;  // shared by every session: bodies kept whole in memory
  asio::ssl::context* tls;    // null: plain HTTP
  ServerMetrics* metrics;     // every answered request is counted here
};

// Serves requests on `socket` (after a TLS handshake when ctx.tls is set) until the peer
// closes, an error, or a non-keep-alive response.
// Runs on the socket's executor, whose io_context one thread runs (so it acts as a strand).
asio::awaitable<void> RunHttpSession(tcp::socket socket, SessionContext ctx);

}  // namespace syncline
