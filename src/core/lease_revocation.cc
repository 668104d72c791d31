#include "core/lease_revocation.h"

#include <mutex>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "core/revocation_retry.h"
#include "dyncreds/ttl.h"
#include "util/time_format.h"

namespace dyncreds::core {

Status LeaseRevocation::Revoke(std::string_view id) const {
  Result<Lease> lease = options_.leases->Get(id);
  if (!lease.ok()) {
    AuditEvent event = options_.events->Event("lease.revoke", std::string(id));
    event.reason = "manual";
    event.lease_id = std::string(id);
    return options_.audit->Audit(std::move(event), lease.status());
  }
  return RevokeLease(*lease, "manual");
}

Status LeaseRevocation::RevokeLease(const Lease& lease, const char* reason) const {
  const auto started = options_.clock->Monotonic();
  Status s = RevokeInAwsAndStore(lease);
  options_.metrics->Operation("revoke", CredentialTypeName(lease.type), s.ok(), options_.clock->Monotonic() - started);
  if (s.ok() && std::string_view(reason) == "expired") {
    options_.metrics->RevocationLag(options_.clock->Now() - lease.expires_at);
  }
  return options_.audit->Audit(options_.events->Revoke(lease, reason), s);
}

Status LeaseRevocation::RevokeInAwsAndStore(const Lease& lease) const {
  if (lease.type == CredentialType::kIamUser) {
    Result<std::shared_ptr<IamProvider>> provider = options_.config->Provider();
    if (!provider.ok()) return provider.status().WithContext("revoking lease " + lease.id);
    Status deleted = (*provider)->DeleteUser(lease.user_name);
    if (!deleted.ok()) return deleted.WithContext("revoking lease " + lease.id);
  }
  Status removed = options_.store->DeleteLease(lease.id);
  return removed.Is(ErrorCode::kNotFound) ? Status() : removed;  // revoked twice at once: fine
}

Result<std::size_t> LeaseRevocation::RevokePrefix(std::string_view prefix, const ProgressFunction& progress,
                                                  const char* reason) const {
  std::vector<std::pair<std::string, Status>> failures;
  std::size_t revoked = 0;
  Result<std::size_t> seen = options_.leases->ForEach(
      prefix, options_.revocation.parallelism, progress, [&](const Lease& lease, std::mutex& mu) {
        Status s = RevokeLease(lease, reason);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          ++revoked;
        } else {
          failures.emplace_back(lease.id, s);
        }
      });
  if (!seen.ok()) return seen.status().WithContext(std::to_string(revoked) + " leases were revoked before");
  if (failures.empty()) return revoked;
  std::string message = std::to_string(failures.size()) + " of " + std::to_string(*seen) + " leases under \"" +
                        std::string(prefix) + "\" could not be revoked:";
  for (const auto& [lease_id, status] : failures) message += " " + lease_id + " (" + status.ToString() + ");";
  return Status::Make(failures.front().second.code(), message);
}

Result<ForceRevokeReport> LeaseRevocation::ForceRevoke(std::string_view prefix,
                                                       const ProgressFunction& progress) const {
  ForceRevokeReport report;
  Result<std::size_t> seen = options_.leases->ForEach(
      prefix, options_.revocation.parallelism, progress, [&](const Lease& lease, std::mutex& mu) {
        Status s = RevokeInAwsAndStore(lease);
        if (!s.ok()) {
          Status dropped = options_.store->DeleteLease(lease.id);
          s = s.WithContext(dropped.ok() ? "lease dropped anyway (force); the IAM user may remain"
                                         : "dropping the lease failed too: " + dropped.ToString());
        }
        options_.audit->Audit(options_.events->Revoke(lease, "force"), s);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          report.revoked.push_back(lease.id);
        } else {
          report.dropped.emplace_back(lease.id, s.ToString());
        }
      });
  if (!seen.ok()) return seen.status();
  return report;
}

std::size_t LeaseRevocation::RevokeDue(TimePoint now, std::size_t limit) const {
  Result<std::vector<Lease>> due = options_.store->DueLeases(options_.leases->mount(), now, limit);
  if (!due.ok()) return 0;
  RunParallel(*due, options_.revocation.parallelism, [&](const Lease& lease, std::mutex&) { RevokeDueLease(lease, now); });
  return due->size();
}

void LeaseRevocation::RevokeDueLease(Lease lease, TimePoint now) const {
  Status s = RevokeLease(lease, "expired");
  if (s.ok()) {
    Log(LogLevel::kInfo, "revoked expired lease " + lease.id);
    return;
  }
  const RevocationOptions& r = options_.revocation;
  const bool became_irrevocable = NoteFailedRevocation(&lease, s, now, r, options_.jitter());
  if (!options_.store->PutLease(lease).ok()) return;
  if (became_irrevocable) {
    Log(LogLevel::kError, "lease " + lease.id + " is irrevocable after " + std::to_string(lease.revoke_attempts) +
                              " attempts (retried every " + FormatTtl(r.irrevocable_retry) + "): " + lease.last_error);
    if (options_.on_irrevocable) options_.on_irrevocable(lease);
  } else {
    Log(LogLevel::kWarning, "revoking lease " + lease.id + " failed (attempt " + std::to_string(lease.revoke_attempts) +
                                "), retrying at " + timefmt::FormatIso8601(lease.due_at) + ": " + lease.last_error);
  }
}

}  // namespace dyncreds::core
