// issuance_rules.h: how long a credential lives and what it is called, by
// Vault's rules: the request, then the role, then config/lease (iam_user) or
// the STS defaults; names checked against what IAM and STS accept.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_ISSUANCE_RULES_H_
#define DYNCREDS_SRC_CORE_ISSUANCE_RULES_H_

#include <chrono>
#include <optional>
#include <string>

#include "core/lease_config.h"
#include "core/username_template.h"
#include "dyncreds/engine.h"
#include "dyncreds/role.h"

namespace dyncreds::core {

// What STS issues when neither the request nor the role says.
inline constexpr std::chrono::seconds kDefaultStsTtl{3600};

struct Lifetime {
  std::chrono::seconds ttl;
  std::chrono::seconds max;  // no renewal goes past issued_at + max
};

// iam_user: `requested`, else the role's default_ttl, else config/lease;
// capped by the role's max_ttl, else config/lease's lease_max. `role` may be
// null (its role deleted since).
Lifetime UserLifetime(const Role* role, const LeaseConfig& lease, std::optional<std::chrono::seconds> requested);

// STS types: `requested`, else default_sts_ttl, else an hour; capped by
// max_sts_ttl, else config/lease's lease_max.
Lifetime StsLifetime(const Role& role, const LeaseConfig& lease, std::optional<std::chrono::seconds> requested);

// assumed_role: the requested role ARN, which must be one of the role's;
// with none requested, the role's only one.
Result<std::string> PickRoleArn(const Role& role, const std::string& requested);

// The IAM user name the template renders, checked against IAM's rules.
Result<std::string> RenderUserName(const UsernameTemplate& name_template, const TemplateData& data,
                                   const TemplateEnv& env);
// A federation token's name (2-32 characters).
Result<std::string> RenderFederationName(const UsernameTemplate& name_template, const TemplateData& data,
                                         const TemplateEnv& env);
// assumed_role: the caller's role_session_name, else the rendered template.
Result<std::string> SessionName(const std::string& requested, const UsernameTemplate& name_template,
                                const TemplateData& data, const TemplateEnv& env);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_ISSUANCE_RULES_H_
