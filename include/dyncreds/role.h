// role.h: a role says what credentials to issue, with the field names and
// rules of Vault's AWS secrets engine so role JSON ports over unchanged,
// plus libdyncreds's own fields (default_ttl/max_ttl for iam_user,
// max_active_leases).
//
// Role JSON in (a write merges into the existing role, as Vault does):
//   {"credential_type": "iam_user", "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
//    "policy_document": "{...}", "iam_groups": "a,b", "iam_tags": {"team": "x"},
//    "user_path": "/dyncreds/", "default_ttl": "1h", "max_ttl": "24h"}
// Lists may be JSON arrays or comma-separated strings; tags may be objects,
// ["k=v", ...] or "k=v,k2=v2"; durations may be seconds or strings ("90m").
// Unknown fields are refused (a typo must not pass silently).
//
// Thread safety: values; pure functions.
#ifndef DYNCREDS_ROLE_H_
#define DYNCREDS_ROLE_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

enum class CredentialType { kIamUser, kAssumedRole, kFederationToken, kSessionToken };

// "iam_user", "assumed_role", "federation_token", "session_token".
DYNCREDS_EXPORT const char* CredentialTypeName(CredentialType type);
DYNCREDS_EXPORT bool IsStsType(CredentialType type);

using Tags = std::vector<std::pair<std::string, std::string>>;

struct Role {
  std::string name;
  CredentialType credential_type = CredentialType::kIamUser;
  std::vector<std::string> role_arns;    // assumed_role: the roles callers may pick from
  std::vector<std::string> policy_arns;  // iam_user: attached; STS: PolicyArns filter
  std::string policy_document;           // compacted JSON; iam_user: inline; STS: Policy filter
  std::vector<std::string> iam_groups;   // iam_user: AddUserToGroup; STS: policies merged in
  Tags iam_tags;                         // iam_user
  Tags session_tags;                     // assumed_role
  std::string external_id;               // assumed_role
  std::string mfa_serial_number;         // session_token, assumed_role
  std::string user_path = "/";           // iam_user
  std::string permissions_boundary_arn;  // iam_user
  std::chrono::seconds default_sts_ttl{0};  // STS types; 0: 3600
  std::chrono::seconds max_sts_ttl{0};      // STS types; 0: the mount's lease_max
  // libdyncreds's own fields.
  std::chrono::seconds default_ttl{0};  // iam_user; 0: the mount's config/lease
  std::chrono::seconds max_ttl{0};      // iam_user; 0: the mount's config/lease
  int max_active_leases = 0;            // 0: no limit
};

// IAM's limits that role validation applies.
constexpr std::size_t kMaxInlineUserPolicyChars = 2048;  // non-whitespace, per user
constexpr std::size_t kMaxSessionPolicyChars = 2048;     // STS Policy parameter

// Applies a role write: `json` merged into `existing` (nullptr to create),
// then every rule checked. On error nothing is returned, so what is stored
// does not change; the status names the first bad field and lists every
// problem found.
DYNCREDS_EXPORT Result<Role> ApplyRoleJson(std::string_view name, std::string_view json,
                                           const Role* existing);

// All the rules, for a role built in code.
DYNCREDS_EXPORT Status ValidateRole(const Role& role);

// The role as JSON with Vault's field names (durations in seconds).
DYNCREDS_EXPORT std::string RoleToJson(const Role& role);

// Vault's rule for role names: letters, digits, '_', '-', '.', '@'; starting
// and ending with a letter, digit or '_'.
DYNCREDS_EXPORT Status ValidateRoleName(std::string_view name);

}  // namespace dyncreds

#endif  // DYNCREDS_ROLE_H_
