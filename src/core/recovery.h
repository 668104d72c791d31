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
#include "dyncreds/iam_provider.h"
#include "dyncreds/lease_store.h"

namespace dyncreds::core {

constexpr char kLeaseTag[] = "dyncreds-lease";
constexpr char kMountTag[] = "dyncreds-mount";

// How far AWS's clock (a user's CreateDate) may be behind ours: SigV4
// refuses requests signed more than 5 minutes off.
constexpr std::chrono::minutes kClockTolerance{5};

// Whether `user` is the one the intent's issuance created (see above).
bool MadeByIntent(const IamUserInfo& user, const Intent& intent);

// Undoes what the intent's issuance may have created in AWS, then deletes
// the intent. STS credentials cannot be recalled (they expire by
// themselves), so for them only the intent goes. On error the intent stays,
// to be retried.
Status RollBackIntent(LeaseStore& store, IamProvider& provider, const Intent& intent);

// IAM users under `options.path_prefix` tagged for `mount` whose lease and
// intent are both gone: reported, and deleted with `delete_orphans`, each
// deletion told to `on_delete` (user name, outcome). Users the provider may
// not GetUser are skipped: a least-privilege root reads only its own.
Status FindOrphans(LeaseStore& store, IamProvider& provider, const std::string& mount, const TidyOptions& options,
                   TidyReport* report,
                   const std::function<void(const std::string&, const Status&)>& on_delete);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_RECOVERY_H_
