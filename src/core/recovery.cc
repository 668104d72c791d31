#include "core/recovery.h"

#include <algorithm>

namespace dyncreds::core {
namespace {

const std::string* TagValue(const Tags& tags, std::string_view key) {
  auto it = std::find_if(tags.begin(), tags.end(), [&](const auto& tag) { return tag.first == key; });
  return it == tags.end() ? nullptr : &it->second;
}

}  // namespace

bool MadeByIntent(const IamUserInfo& user, const Intent& intent) {
  const std::string* lease = TagValue(user.tags, kLeaseTag);
  if (lease != nullptr) return *lease == intent.lease_id;
  return user.tags.empty() && user.created && *user.created >= intent.created_at - kClockTolerance;
}

bool SettlingOver(const Intent& intent, TimePoint now) {
  return !intent.user_absent_at || now >= *intent.user_absent_at + kLateRequestWindow;
}

Result<Rollback> RollBackIntent(LeaseStore& store, IamProvider& provider, const Intent& intent, TimePoint now,
                                bool create_may_land) {
  if (intent.type == CredentialType::kIamUser) {
    Result<IamUserInfo> user = provider.GetUser(intent.user_name);
    if (user.ok()) {
      if (MadeByIntent(*user, intent)) {
        Status deleted = provider.DeleteUser(intent.user_name);
        if (!deleted.ok()) return deleted.WithContext("rolling back " + intent.lease_id);
      }
      // Otherwise the name belongs to a user we did not make: leave it.
    } else if (!user.status().Is(ErrorCode::kNotFound)) {
      return user.status().WithContext("rolling back " + intent.lease_id);
    } else if (!intent.user_absent_at && create_may_land) {
      // Not there yet is not never: keep the intent, so the user is looked
      // for again once its CreateUser can no longer land.
      Intent settling = intent;
      settling.user_absent_at = now;
      Status noted = store.PutIntent(settling);
      if (!noted.ok()) return noted.WithContext("rolling back " + intent.lease_id);
      return Rollback::kSettling;
    } else if (!SettlingOver(intent, now)) {
      return Rollback::kSettling;
    }
  }
  Status removed = store.DeleteIntent(intent.lease_id);
  if (!removed.ok() && !removed.Is(ErrorCode::kNotFound)) return removed;
  return Rollback::kDone;
}

Status FindOrphans(LeaseStore& store, IamProvider& provider, const std::string& mount, const TidyOptions& options,
                   TidyReport* report,
                   const std::function<void(const std::string&, const Status&)>& on_delete) {
  Result<std::vector<IamUserInfo>> users = provider.ListUsers(options.path_prefix);
  if (!users.ok()) return users.status().WithContext("listing IAM users under " + options.path_prefix);
  std::size_t examined = 0;
  for (const IamUserInfo& listed : *users) {
    if (options.progress) options.progress(examined++, users->size());
    Result<IamUserInfo> user = provider.GetUser(listed.user_name);  // ListUsers has no tags
    if (user.status().Is(ErrorCode::kNotFound)) continue;          // deleted meanwhile
    // A user the root may not even read is outside the engine's reach, so
    // not one it made (revoking its own users needs iam:GetUser on them).
    if (user.status().Is(ErrorCode::kPermissionDenied)) continue;
    if (!user.ok()) {
      report->failed.emplace_back(listed.user_name, user.status().ToString());
      continue;
    }
    const std::string* user_mount = TagValue(user->tags, kMountTag);
    const std::string* lease = TagValue(user->tags, kLeaseTag);
    if (user_mount == nullptr || *user_mount != mount || lease == nullptr) continue;  // not ours
    // The intent is committed before the user exists and becomes the lease
    // in one transaction, so looking for the intent first and the lease
    // second finds one of them while the user is wanted, even if the
    // issuance finishes in between.
    Status missing = store.GetIntent(*lease).status();
    if (missing.Is(ErrorCode::kNotFound)) missing = store.GetLease(*lease).status();
    if (missing.ok()) continue;
    if (!missing.Is(ErrorCode::kNotFound)) {  // a store error proves nothing: never delete on it
      report->failed.emplace_back(user->user_name, missing.ToString());
      continue;
    }
    report->orphans.push_back(user->user_name);
    if (!options.delete_orphans) continue;
    Status deleted = provider.DeleteUser(user->user_name);
    on_delete(user->user_name, deleted);
    if (deleted.ok()) {
      report->deleted.push_back(user->user_name);
    } else {
      report->failed.emplace_back(user->user_name, deleted.ToString());
    }
  }
  if (options.progress) options.progress(users->size(), users->size());
  return Status();
}

}  // namespace dyncreds::core
