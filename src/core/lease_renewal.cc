#include "core/lease_renewal.h"

#include <algorithm>

#include "dyncreds/role.h"

namespace dyncreds::core {

Status CheckRenewable(const Lease& lease, TimePoint now) {
  if (!lease.renewable) {
    return Status::InvalidArgument("lease_id", "lease " + lease.id + " is not renewable (" +
                                                   CredentialTypeName(lease.type) +
                                                   " credentials end at their expiration)");
  }
  if (lease.state != LeaseState::kActive) {
    return Status::Conflict("lease " + lease.id + " is irrevocable and cannot be renewed");
  }
  if (now >= lease.expires_at) return Status::NotFound("lease " + lease.id + " has expired");
  return Status();
}

Lease Renewed(Lease lease, TimePoint now, std::chrono::seconds increment) {
  lease.expires_at = std::min(now + increment, lease.max_expires_at);
  lease.due_at = lease.expires_at;
  return lease;
}

}  // namespace dyncreds::core
