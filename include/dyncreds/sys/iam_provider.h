// sys/iam_provider.h (an extension interface): the seam between the engine and AWS, in the product's
// terms rather than HTTP's: make an IAM user with a key, tear a user down,
// get STS credentials, check who a key belongs to. The engine orchestrates
// leases around these calls; AwsIamProvider (aws_iam_provider.h) turns them
// into IAM and STS Query API calls, and tests swap in a fake.
//
// Errors keep AWS's code, message and request id (Status::aws()).
//
// Thread safety: implementations must be safe to call from many threads at
// once; the engine does.
#ifndef DYNCREDS_SYS_IAM_PROVIDER_H_
#define DYNCREDS_SYS_IAM_PROVIDER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/credentials.h"
#include "dyncreds/export.h"
#include "dyncreds/role.h"
#include "dyncreds/status.h"

namespace dyncreds {

// An IAM user to create, with everything that hangs on it.
struct IamUserSpec {
  std::string user_name;
  std::string path = "/";
  std::string permissions_boundary_arn;
  // Set by CreateUser itself, so a tagged user is never seen untagged. If
  // the caller may not iam:TagUser, the user is created without them
  // (IssuedUserKey::tagged says so).
  Tags tags;
  // For an untagged user, the proof of ownership after a lost CreateUser
  // reply: a same-named, untagged user created at or after this time is the
  // one an earlier attempt made. The engine sets it to its intent's time less
  // SigV4's 5-minute clock tolerance, and never issues a name that another
  // lease or intent of the mount holds. Unset: untagged users are never adopted.
  std::optional<std::chrono::system_clock::time_point> created_after;
  std::vector<std::string> policy_arns;  // AttachUserPolicy
  std::string inline_policy_name;        // PutUserPolicy (Vault names it after the role)
  std::string inline_policy;             // JSON; empty: none
  std::vector<std::string> groups;       // AddUserToGroup
};

struct IssuedUserKey {
  std::string user_name;
  std::string user_arn;
  AwsCredentials credentials;  // the new access key (no token, no expiration)
  bool tagged = true;          // false: created without spec.tags (iam:TagUser was denied)
};

struct AssumeRoleSpec {
  std::string role_arn;
  std::string session_name;
  std::chrono::seconds duration{3600};
  std::string policy;                    // session policy JSON; empty: none
  std::vector<std::string> policy_arns;
  Tags tags;                             // session tags
  std::string external_id;
  std::string mfa_serial_number;
  std::string mfa_code;
};

struct FederationTokenSpec {
  std::string name;
  std::chrono::seconds duration{43200};
  std::string policy;
  std::vector<std::string> policy_arns;
};

struct SessionTokenSpec {
  std::chrono::seconds duration{43200};
  std::string mfa_serial_number;
  std::string mfa_code;
};

struct StsCredentials {
  AwsCredentials credentials;  // with session token and expiration
  std::string arn;             // the assumed-role or federated user, if any
};

// What a role's IAM groups contribute to STS session policies (Vault merges
// them in): each group's inline policy documents and attached policy ARNs.
struct GroupPolicies {
  std::vector<std::string> documents;
  std::vector<std::string> policy_arns;
};

// An IAM user as GetUser describes it.
struct IamUserInfo {
  std::string user_name;
  std::string path;
  std::string arn;
  Tags tags;  // from GetUser; ListUsers does not return tags
  std::optional<std::chrono::system_clock::time_point> created;  // CreateDate
};

struct AccessKeyInfo {
  std::string access_key_id;
  std::string status;  // "Active" | "Inactive"
  std::optional<std::chrono::system_clock::time_point> created;
};

struct Identity {
  std::string account;
  std::string arn;
  std::string user_id;
};

class DYNCREDS_EXPORT IamProvider {
 public:
  virtual ~IamProvider();

  // Creates the user, its policies and groups, then its access key. If a
  // step fails, what was created is removed before the error is returned
  // (the error says so if that cleanup failed too).
  virtual Result<IssuedUserKey> CreateUserWithKey(const IamUserSpec& spec) = 0;

  // Removes what issuance attaches (access keys, managed and inline
  // policies, group memberships), then the user. Only if AWS answers
  // DeleteConflict does it look for what someone else added (login profile,
  // MFA devices, SSH keys, signing certificates, service-specific
  // credentials). A call that fails (denied, or not implemented by the
  // endpoint) does not stop the attempt; if the user cannot be deleted, the
  // error names each failed call and, when denied, the IAM action needed.
  // A user or attachment already gone counts as done.
  virtual Status DeleteUser(std::string_view user_name) = 0;

  virtual Result<StsCredentials> AssumeRole(const AssumeRoleSpec& spec) = 0;
  virtual Result<StsCredentials> GetFederationToken(const FederationTokenSpec& spec) = 0;
  virtual Result<StsCredentials> GetSessionToken(const SessionTokenSpec& spec) = 0;
  virtual Result<GroupPolicies> GetGroupPolicies(const std::vector<std::string>& groups) = 0;

  // sts:GetCallerIdentity signed with `credentials` (not the provider's):
  // proves a freshly issued key works.
  virtual Result<Identity> WhoAmI(const AwsCredentials& credentials) = 0;

  // The user with its tags; kNotFound if there is none.
  virtual Result<IamUserInfo> GetUser(std::string_view user_name) = 0;
  // Every user whose path starts with `path_prefix`, all pages, no tags.
  virtual Result<std::vector<IamUserInfo>> ListUsers(std::string_view path_prefix) = 0;

  // The provider's own IAM user's access keys, for root key rotation (IAM
  // acts on the user that signs the request).
  virtual Result<IssuedUserKey> CreateOwnAccessKey() = 0;
  virtual Result<std::vector<AccessKeyInfo>> ListOwnAccessKeys() = 0;
  virtual Status DeleteOwnAccessKey(std::string_view access_key_id) = 0;  // already gone: OK
};

}  // namespace dyncreds

#endif  // DYNCREDS_SYS_IAM_PROVIDER_H_
