// recovery.h: cleaning up after issuances that did not finish, and finding
// IAM users that nothing will ever delete.
//
// Every IAM user the engine creates carries two tags: kLeaseTag (its lease
// id) and kMountTag (its mount), unless its root user may not iam:TagUser.
// They are what makes cleanup safe: a user is only deleted here if its lease
// tag names the lease being cleaned up, so a user someone else made with the
// same name is never touched. An untagged user is proven ours another way:
// the engine writes the intent before CreateUser and never issues a name
// that another lease or intent of the mount holds, so an untagged user of
// that name created after the intent was written is the intent's.
#ifndef DYNCREDS_SRC_CORE_RECOVERY_H_
#define DYNCREDS_SRC_CORE_RECOVERY_H_

#include <chrono>
#include <functional>
#include <string>

#include "dyncreds/engine.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

constexpr char kLeaseTag[] = "dyncreds-lease";
constexpr char kMountTag[] = "dyncreds-mount";

// How far AWS's clock (a user's CreateDate) may be behind ours: SigV4
// refuses requests signed more than 5 minutes off.
constexpr std::chrono::minutes kClockTolerance{5};

// How long after its signing time AWS may still accept a request: AWS
// documents five minutes "in most cases", and IAM and STS answer
// "Signature expired: ... (... - 15 min.)", so the longer one.
constexpr std::chrono::minutes kSignatureLifetime{15};

// How long after a rollback first finds no user a CreateUser the issuance
// sent may still create one. A process can die (or a call time out) with
// its request on the wire; AWS may accept it for kSignatureLifetime by its
// own clock, which may be kClockTolerance behind ours, and a minute more
// covers the request's own processing.
constexpr std::chrono::minutes kLateRequestWindow = kSignatureLifetime + kClockTolerance + std::chrono::minutes{1};

// Whether `user` is the one the intent's issuance created (see above).
bool MadeByIntent(const IamUserInfo& user, const Intent& intent);

enum class Rollback {
  kDone,      // nothing the issuance made is left, and its intent is gone
  kSettling,  // no user yet, but its CreateUser may still land: the intent
              // stays (user_absent_at noted) for kLateRequestWindow
};

// Undoes what the intent's issuance may have created in AWS, then deletes
// the intent. `create_may_land` says whether a CreateUser the issuance sent
// may still be on its way (false only when AWS answered it with a refusal);
// if so, and no user exists yet, the intent settles first and a later call
// finishes the rollback. STS credentials cannot be recalled (they expire by
// themselves), so for them only the intent goes. On error the intent stays,
// to be retried.
Result<Rollback> RollBackIntent(LeaseStore& store, IamProvider& provider, const Intent& intent, TimePoint now,
                                bool create_may_land);

// Whether a settling intent's wait is over (or it never settled).
bool SettlingOver(const Intent& intent, TimePoint now);

// IAM users under `options.path_prefix` tagged for `mount` whose lease and
// intent are both gone: reported, and deleted with `delete_orphans`, each
// deletion told to `on_delete` (user name, outcome). Users the provider may
// not GetUser are skipped: a least-privilege root reads only its own.
Status FindOrphans(LeaseStore& store, IamProvider& provider, const std::string& mount, const TidyOptions& options,
                   TidyReport* report,
                   const std::function<void(const std::string&, const Status&)>& on_delete);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_RECOVERY_H_
