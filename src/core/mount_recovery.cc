#include "core/mount_recovery.h"

namespace dyncreds::core {

MountRecovery::MountRecovery(Options options)
    : options_(std::move(options)),
      dead_issuances_(
          *options_.store, options_.mount, *options_.in_flight, options_.intent_grace,
          [this](IamProvider& provider, const Intent& intent, TimePoint now) {
            return RollBack(provider, intent, now, /*create_may_land=*/true);
          },
          [this](LogLevel level, const std::string& message) {
            if (options_.log) options_.log(level, message);
          }) {}

void MountRecovery::OnOpen(TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<std::shared_ptr<IamProvider>> provider = options_.config->Provider();
  if (provider.ok()) dead_issuances_.Sweep(**provider, now, DeadIssuances::Pass::kOwnersGone, nullptr);
}

void MountRecovery::OnTick(TimePoint now) {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is at it
  Result<std::shared_ptr<IamProvider>> provider = options_.config->Provider();
  if (!provider.ok()) return;
  const bool full_pass = now >= next_full_pass_;
  dead_issuances_.Sweep(**provider, now, full_pass ? DeadIssuances::Pass::kFull : DeadIssuances::Pass::kOwnersGone,
                        nullptr);
  if (!full_pass) return;
  next_full_pass_ = now + options_.recovery_interval;
  Status recovered = options_.rotation->Recover(now - options_.intent_grace);
  if (!recovered.ok() && options_.log) {
    options_.log(LogLevel::kWarning, "finishing an interrupted root rotation: " + recovered.ToString());
  }
}

Status MountRecovery::Sweep(IamProvider& provider, TimePoint now, TidyReport* report) {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_issuances_.Sweep(provider, now, DeadIssuances::Pass::kFull, report);
}

Result<Rollback> MountRecovery::RollBack(IamProvider& provider, const Intent& intent, TimePoint now,
                                         bool create_may_land) const {
  Result<Rollback> done = RollBackIntent(*options_.store, provider, intent, now, create_may_land);
  if (done.ok() && *done == Rollback::kSettling) return done;
  AuditEvent event = options_.events->Event("intent.rollback", intent.lease_id);
  event.role = intent.role;
  event.lease_id = intent.lease_id;
  event.user_name = intent.user_name;
  options_.audit->Audit(std::move(event), done.status());  // a rollback only takes away: never blocked by the audit
  return done;
}

}  // namespace dyncreds::core
