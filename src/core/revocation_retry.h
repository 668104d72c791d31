// revocation_retry.h: what becomes of a lease whose revocation failed, as
// Vault's expiration manager does it: retried after base * 2^(attempt-1)
// (capped, with +-50% jitter); after max_attempts it is irrevocable, kept
// and reported and retried every irrevocable_retry, never dropped.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_REVOCATION_RETRY_H_
#define DYNCREDS_SRC_CORE_REVOCATION_RETRY_H_

#include <chrono>

#include "dyncreds/engine.h"
#include "dyncreds/lease.h"
#include "dyncreds/status.h"

namespace dyncreds::core {

// The wait before attempt `attempt` + 1; `jitter` is in [0, 1).
std::chrono::seconds RevocationBackoff(int attempt, const RevocationOptions& options, double jitter);

// Notes a failed attempt at `now` on `lease` (attempts, last_error, state,
// due_at). True when this attempt made it irrevocable.
bool NoteFailedRevocation(Lease* lease, const Status& why, TimePoint now, const RevocationOptions& options,
                          double jitter);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_REVOCATION_RETRY_H_
