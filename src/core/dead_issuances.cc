#include "core/dead_issuances.h"

#include "core/intent_owner.h"

namespace dyncreds::core {

DeadIssuances::DeadIssuances(LeaseStore& store, std::string mount, const InFlightIssuances& in_flight,
                             std::chrono::seconds intent_grace, RollBackFn roll_back, LogFn log)
    : store_(store),
      mount_(std::move(mount)),
      in_flight_(in_flight),
      intent_grace_(intent_grace),
      roll_back_(std::move(roll_back)),
      log_(std::move(log)) {}

Status DeadIssuances::Sweep(IamProvider& provider, TimePoint now, Pass pass, TidyReport* report) {
  Result<std::vector<Intent>> intents = store_.ListIntents(mount_, TimePoint::max());
  if (!intents.ok()) return intents.status();
  if (pass == Pass::kFull) failed_.clear();  // retried now (failures are noted again)
  for (const Intent& intent : *intents) {
    if (in_flight_.Contains(intent.lease_id)) continue;  // still running here
    if (pass == Pass::kOwnersGone && failed_.count(intent.lease_id) > 0) continue;
    if (!SettlingOver(intent, now)) {
      if (report != nullptr) report->settling.push_back(intent.lease_id);
      continue;
    }
    // A settling intent was abandoned (only a rollback settles one), so its
    // owner no longer matters.
    const bool stale = now - intent.created_at >= intent_grace_;
    const bool dead = intent.user_absent_at || JudgeOwner(intent.owner) == OwnerState::kDead;
    if (!dead && !(stale && pass == Pass::kFull)) continue;
    Result<Rollback> done = roll_back_(provider, intent, now);
    if (done.ok()) {
      failed_.erase(intent.lease_id);
    } else {
      failed_.insert(intent.lease_id);
    }
    Note(intent, stale, done);
    if (report == nullptr) continue;
    if (!done.ok()) {
      report->failed.emplace_back(intent.lease_id, done.status().ToString());
    } else {
      (*done == Rollback::kSettling ? report->settling : report->rolled_back).push_back(intent.lease_id);
    }
  }
  return Status();
}

void DeadIssuances::Note(const Intent& intent, bool stale, const Result<Rollback>& done) const {
  const bool settling = done.ok() && *done == Rollback::kSettling;
  log_(done.ok() ? LogLevel::kInfo : LogLevel::kWarning,
       "rolling back the unfinished issuance of lease " + intent.lease_id +
           (intent.user_name.empty() ? "" : " (IAM user " + intent.user_name + ")") +
           (stale ? " (older than the grace period)" : " (its process is gone)") +
           (!done.ok()  ? ": " + done.status().ToString() + "; will retry"
            : settling ? ": no user yet; looking again in " + std::to_string(kLateRequestWindow.count()) +
                             " minutes, when a CreateUser it sent can no longer land"
                       : ": done"));
}

}  // namespace dyncreds::core
