// When a destination whose run failed is tried again by itself (STYLE.md, "Errors"): transient
// failures soon, with exponential backoff; a peer that breaks the protocol or hits a bug
// slowly; failures that need someone to change something only at the periodic run. A commit
// never retries a failing destination early; editing the destination or `sync run` does.
#pragma once

#include <cstdint>

#include "syncline/status.h"

namespace syncline {

struct RetryOptions {
  int64_t min_backoff_micros = 1000000;        // first retry of a transient failure
  int64_t max_backoff_micros = 60 * 1000000LL;  // the most a transient failure waits
  int64_t period_micros = 600 * 1000000LL;      // the periodic run: the most anything waits
};

// The delay before the next automatic run after a run that ended with `error`, given the
// delay that preceded it (0 after a success). 0 means no backoff: the next commit or the
// periodic run starts it.
//   OK                                               -> 0
//   Unavailable, IOError, PreconditionFailed (lock)  -> double, from min to max backoff
//   ProtocolError, Internal                          -> double, from max backoff to period
//   anything else (NotFound, Unauthenticated, ...)   -> period
int64_t NextRetryDelay(const Status& error, int64_t previous_delay, const RetryOptions& options);

}  // namespace syncline
