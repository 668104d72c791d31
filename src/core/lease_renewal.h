// lease_renewal.h: Vault's rules for renewing a lease: only a renewable
// (iam_user), active, unexpired lease is renewed; it then ends `increment`
// from now (the role's or mount's default TTL when none is asked for), never
// past its maximum.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_LEASE_RENEWAL_H_
#define DYNCREDS_SRC_CORE_LEASE_RENEWAL_H_

#include <chrono>

#include "dyncreds/lease.h"
#include "dyncreds/status.h"

namespace dyncreds::core {

// Why `lease` cannot be renewed at `now`, or ok.
Status CheckRenewable(const Lease& lease, TimePoint now);

// `lease` renewed at `now` by `increment` (> 0).
Lease Renewed(Lease lease, TimePoint now, std::chrono::seconds increment);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_LEASE_RENEWAL_H_
