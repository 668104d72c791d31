// lease_config.h: config/lease, Vault's mount-wide default and maximum TTL
// for iam_user leases.
//
// Thread safety: plain values and pure functions.
#ifndef DYNCREDS_SRC_CORE_LEASE_CONFIG_H_
#define DYNCREDS_SRC_CORE_LEASE_CONFIG_H_

#include <chrono>
#include <string>
#include <string_view>

#include "dyncreds/status.h"

namespace dyncreds::core {

constexpr char kLeaseConfigKey[] = "config/lease";
constexpr std::chrono::seconds kDefaultLease{768 * 3600};  // Vault's system default and max

struct LeaseConfig {
  std::chrono::seconds lease = kDefaultLease;
  std::chrono::seconds lease_max = kDefaultLease;
};

// {"lease", "lease_max"}: both required, durations ("1h") or seconds, lease
// no longer than lease_max; anything else is refused by field.
Result<LeaseConfig> ParseLeaseConfig(std::string_view json);

std::string LeaseConfigJson(const LeaseConfig& config);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_LEASE_CONFIG_H_
