// mount_recovery.h: what a mount undoes after a crash, its own process's or
// another's: issuances that died with their intent recorded
// (core/dead_issuances; each rollback audited once it has an outcome) and
// an interrupted root rotation (core/root_rotation).
//
// When: on opening, the issuances whose owner is provably gone (a
// command-line engine has no worker to tick); on every Tick the same, and
// every recovery_interval (the first Tick included) a full pass with those
// past the grace period and the rotation; on tidy, a full pass reported.
//
// Thread safety: every method may be called from any thread; passes take
// turns, and a Tick that finds one running skips its own.
#ifndef DYNCREDS_SRC_CORE_MOUNT_RECOVERY_H_
#define DYNCREDS_SRC_CORE_MOUNT_RECOVERY_H_

#include <functional>
#include <mutex>
#include <string>

#include "core/audit_events.h"
#include "core/audit_trail.h"
#include "core/dead_issuances.h"
#include "core/in_flight.h"
#include "core/mount_config.h"
#include "core/recovery.h"
#include "core/root_rotation.h"

namespace dyncreds::core {

class MountRecovery {
 public:
  struct Options {
    std::string mount;
    LeaseStore* store = nullptr;
    const MountConfig* config = nullptr;  // the provider to roll back with
    const InFlightIssuances* in_flight = nullptr;
    RootRotation* rotation = nullptr;
    std::chrono::seconds intent_grace{600};
    std::chrono::seconds recovery_interval{60};
    const AuditTrail* audit = nullptr;
    const AuditEvents* events = nullptr;
    std::function<void(LogLevel, const std::string&)> log;
  };

  explicit MountRecovery(Options options);

  void OnOpen(TimePoint now);
  void OnTick(TimePoint now);
  // A full pass over dead issuances, reported (tidy).
  Status Sweep(IamProvider& provider, TimePoint now, TidyReport* report);

  // Undoes one issuance's intent (core/recovery's RollBackIntent), audited
  // once it has an outcome; used by recovery and by a failed issuance.
  Result<Rollback> RollBack(IamProvider& provider, const Intent& intent, TimePoint now, bool create_may_land) const;

 private:
  const Options options_;
  std::mutex mu_;            // one pass at a time
  TimePoint next_full_pass_;  // the first Tick makes one
  DeadIssuances dead_issuances_;
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_MOUNT_RECOVERY_H_
