#include "core/revocation_retry.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dyncreds::core {

std::chrono::seconds RevocationBackoff(int attempt, const RevocationOptions& options, double jitter) {
  const double base = static_cast<double>(options.base_backoff.count()) * std::pow(2.0, attempt - 1);
  const double capped = std::min(base, static_cast<double>(options.max_backoff.count()));
  const double jittered = capped * (0.5 + jitter);
  return std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(jittered)));
}

bool NoteFailedRevocation(Lease* lease, const Status& why, TimePoint now, const RevocationOptions& options,
                          double jitter) {
  lease->revoke_attempts += 1;
  lease->last_error = why.ToString().substr(0, 1000);
  if (lease->state == LeaseState::kIrrevocable) {
    lease->due_at = now + options.irrevocable_retry;
    return false;
  }
  if (lease->revoke_attempts >= options.max_attempts) {
    lease->state = LeaseState::kIrrevocable;
    lease->due_at = now + options.irrevocable_retry;
    return true;
  }
  lease->due_at = now + RevocationBackoff(lease->revoke_attempts, options, jitter);
  return false;
}

}  // namespace dyncreds::core
