#include "core/issuance_rules.h"

#include <algorithm>

#include "core/iam_names.h"

namespace dyncreds::core {

using std::chrono::seconds;

Lifetime UserLifetime(const Role* role, const LeaseConfig& lease, std::optional<seconds> requested) {
  const seconds max = role && role->max_ttl.count() ? role->max_ttl : lease.lease_max;
  const seconds ttl = requested ? *requested : role && role->default_ttl.count() ? role->default_ttl : lease.lease;
  return {std::min(ttl, max), max};
}

Lifetime StsLifetime(const Role& role, const LeaseConfig& lease, std::optional<seconds> requested) {
  const seconds max = role.max_sts_ttl.count() ? role.max_sts_ttl : lease.lease_max;
  const seconds ttl = requested ? *requested : role.default_sts_ttl.count() ? role.default_sts_ttl : kDefaultStsTtl;
  return {std::min(ttl, max), max};
}

Result<std::string> PickRoleArn(const Role& role, const std::string& requested) {
  if (requested.empty()) {
    if (role.role_arns.size() == 1) return role.role_arns.front();
    return Status::InvalidArgument("role_arn", role.role_arns.empty()
                                                   ? "role " + role.name + " has no role_arns"
                                                   : "role " + role.name + " has several role_arns; say which one");
  }
  if (std::find(role.role_arns.begin(), role.role_arns.end(), requested) == role.role_arns.end()) {
    return Status::InvalidArgument("role_arn", "\"" + requested + "\" is not in the role_arns of role " + role.name);
  }
  return requested;
}

namespace {

Result<std::string> RenderChecked(const UsernameTemplate& name_template, const TemplateData& data,
                                  const TemplateEnv& env, std::size_t min, std::size_t max, const char* what) {
  Result<std::string> name = name_template.Render(data, env);
  if (!name.ok()) return name.status();
  if (!IsIamName(*name, min, max)) {
    return Status::InvalidArgument("username_template",
                                   "the template made \"" + *name + "\", which is not " + what + " (" +
                                       std::to_string(min) + "-" + std::to_string(max) +
                                       " of letters, digits and _+=,.@-)");
  }
  return name;
}

}  // namespace

Result<std::string> RenderUserName(const UsernameTemplate& name_template, const TemplateData& data,
                                   const TemplateEnv& env) {
  return RenderChecked(name_template, data, env, 1, 64, "an IAM user name");
}

Result<std::string> RenderFederationName(const UsernameTemplate& name_template, const TemplateData& data,
                                         const TemplateEnv& env) {
  return RenderChecked(name_template, data, env, 2, 32, "a federation token name");
}

Result<std::string> SessionName(const std::string& requested, const UsernameTemplate& name_template,
                                const TemplateData& data, const TemplateEnv& env) {
  const std::string name = NormalizeTemplateInput(requested);
  if (name.empty()) return RenderChecked(name_template, data, env, 2, 64, "a role session name");
  if (!IsIamName(name, 2, 64)) {
    return Status::InvalidArgument("role_session_name", "\"" + name +
                                                            "\" is not a role session name (2-64 of letters, digits and _+=,.@-)");
  }
  return name;
}

}  // namespace dyncreds::core
