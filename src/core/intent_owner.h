// intent_owner.h: who recorded an intent, and whether that process still
// lives. An issuance is in flight only while its process runs: an intent
// whose owner is provably dead can be rolled back at once instead of after
// the grace period.
//
// "Provably" is the point. The owner is judged only on the host (and in the
// PID namespace) that recorded it: there, a pid that no longer exists, or
// now names a process started at another time, means the owner is gone.
// An intent from another host, or from before owners were recorded, cannot
// be judged and waits for the grace period.
#ifndef DYNCREDS_SRC_CORE_INTENT_OWNER_H_
#define DYNCREDS_SRC_CORE_INTENT_OWNER_H_

#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

// This process, as an intent records it.
IntentOwner CurrentProcess();

enum class OwnerState { kAlive, kDead, kUnknown };

OwnerState JudgeOwner(const IntentOwner& owner);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_INTENT_OWNER_H_
