// lease_revocation.h: ending a mount's leases: one lease (by hand, expired,
// under a prefix, its role deleted), every lease under a prefix, force
// (dropping what AWS will not let go), and the due leases of a Tick, whose
// failures are retried with backoff until they become irrevocable
// (core/revocation_retry). Revoking deletes the lease's IAM user
// (iam_user), then the lease; each revocation is measured and audited.
//
// Thread safety: every method may be called from any thread at once; a
// lease revoked twice at once is revoked once.
#ifndef DYNCREDS_SRC_CORE_LEASE_REVOCATION_H_
#define DYNCREDS_SRC_CORE_LEASE_REVOCATION_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/audit_events.h"
#include "core/audit_trail.h"
#include "core/metrics_recorder.h"
#include "core/mount_config.h"
#include "core/mount_leases.h"
#include "dyncreds/engine.h"

namespace dyncreds::core {

class LeaseRevocation {
 public:
  struct Options {
    const MountLeases* leases = nullptr;
    LeaseStore* store = nullptr;
    Clock* clock = nullptr;
    const MountConfig* config = nullptr;  // the provider to revoke with
    MetricsRecorder* metrics = nullptr;
    const AuditTrail* audit = nullptr;
    const AuditEvents* events = nullptr;
    RevocationOptions revocation;
    std::function<double()> jitter;
    std::function<void(const Lease&)> on_irrevocable;
    std::function<void(LogLevel, const std::string&)> log;
  };

  explicit LeaseRevocation(Options options) : options_(std::move(options)) {}

  // Revokes the lease with this id, by hand.
  Status Revoke(std::string_view id) const;
  // Revokes `lease`; `reason` goes in the audit event ("manual", "prefix",
  // "expired", "role_deleted").
  Status RevokeLease(const Lease& lease, const char* reason) const;
  // The revocation itself, neither measured nor audited.
  Status RevokeInAwsAndStore(const Lease& lease) const;

  // Every lease under `prefix`; fails naming each lease that could not be
  // revoked (those stay, to be revoked again).
  Result<std::size_t> RevokePrefix(std::string_view prefix, const ProgressFunction& progress,
                                   const char* reason = "prefix") const;
  // Every lease under `prefix`, dropping the lease even when AWS refuses.
  Result<ForceRevokeReport> ForceRevoke(std::string_view prefix, const ProgressFunction& progress) const;

  // Up to `limit` leases due at `now`; returns how many were due.
  std::size_t RevokeDue(TimePoint now, std::size_t limit) const;

 private:
  void RevokeDueLease(Lease lease, TimePoint now) const;
  void Log(LogLevel level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
  }

  const Options options_;
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_LEASE_REVOCATION_H_
