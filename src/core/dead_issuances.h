// dead_issuances.h: finding the issuances that died with their intent still
// recorded, and rolling each back (through the engine, which audits it).
//
// An intent is rolled back when its owner is provably gone, or, on a full
// pass, when it is older than the grace period (an owner on another host
// cannot be judged). A rollback that fails is skipped until the next full
// pass; one that is settling (no user yet, a CreateUser possibly still on
// the wire) is looked at again once its wait is over.
//
// Thread safety: one Sweep at a time (the engine's recovery mutex).
#ifndef DYNCREDS_SRC_CORE_DEAD_ISSUANCES_H_
#define DYNCREDS_SRC_CORE_DEAD_ISSUANCES_H_

#include <chrono>
#include <functional>
#include <set>
#include <string>

#include "core/in_flight.h"
#include "core/recovery.h"
#include "dyncreds/engine.h"
#include "dyncreds/events.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class DeadIssuances {
 public:
  enum class Pass {
    kOwnersGone,  // intents whose owner is provably dead, unless their rollback failed before
    kFull,        // every such intent, and those past the grace period
  };
  using TimePoint = std::chrono::system_clock::time_point;
  using RollBackFn = std::function<Result<Rollback>(IamProvider&, const Intent&, TimePoint now)>;
  using LogFn = std::function<void(LogLevel, const std::string&)>;

  DeadIssuances(LeaseStore& store, std::string mount, const InFlightIssuances& in_flight,
                std::chrono::seconds intent_grace, RollBackFn roll_back, LogFn log);

  // One pass over the mount's intents. `report`, if given, lists what was
  // rolled back, what failed and what is settling.
  Status Sweep(IamProvider& provider, TimePoint now, Pass pass, TidyReport* report);

 private:
  void Note(const Intent& intent, bool stale, const Result<Rollback>& done) const;

  LeaseStore& store_;
  const std::string mount_;
  const InFlightIssuances& in_flight_;
  const std::chrono::seconds intent_grace_;
  const RollBackFn roll_back_;
  const LogFn log_;
  std::set<std::string> failed_;  // lease ids whose rollback failed; retried on full passes only
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_DEAD_ISSUANCES_H_
