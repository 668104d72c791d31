// issuance.h: one credential issued from a role, crash-safe: the lease is
// made, an intent recorded before AWS is called, the call made for the role's
// credential type, and the lease stored in place of the intent. A failure
// after the intent goes to the engine's rollback (`abandon`), which removes
// what was made; a crash leaves the intent for recovery.
//
// Thread safety: IssueCredential may run on many threads at once, each with
// its own context; what the context refers to must be thread-safe.
#ifndef DYNCREDS_SRC_CORE_ISSUANCE_H_
#define DYNCREDS_SRC_CORE_ISSUANCE_H_

#include <functional>
#include <string>

#include "core/in_flight.h"
#include "core/lease_config.h"
#include "core/username_template.h"
#include "dyncreds/engine.h"
#include "dyncreds/role.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

// What an issuance needs from its engine, for the length of one call.
struct IssuanceContext {
  const std::string& mount;
  LeaseStore& store;
  Clock& clock;
  IamProvider& provider;
  const UsernameTemplate& name_template;
  LeaseConfig lease_config;  // a copy, read under the engine's lock
  InFlightIssuances& in_flight;
  // Undoes a failed issuance whose intent is recorded; returns `why` with
  // what became of what it made.
  std::function<Status(const Intent& intent, const Status& why)> abandon;
  // The provider created a user without tags (no iam:TagUser).
  std::function<void()> note_untagged;
};

Result<IssuedCredential> IssueCredential(const IssuanceContext& context, const Role& role,
                                         const IssueOptions& options);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_ISSUANCE_H_
