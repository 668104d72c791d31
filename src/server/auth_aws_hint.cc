// auth_aws_hint.cc: auth/aws/ is Vault's AWS *auth method* (logging in to
// Vault with an AWS identity), not the secrets engine that hands out AWS
// keys, but guides use it for the latter (seed 002 writes auth/aws/config,
// auth/aws/role/<name> and reads auth/aws/creds/<name>). Vault itself
// answers those with a 404; we name the path that does what was meant.
#include "server/api_call.h"
#include "server/vault_reply.h"

namespace dyncreds::server {

std::optional<VaultResponse> AuthAwsHint(const ApiCall& call, std::string_view rest) {
  std::string_view name;
  std::string hint;
  if (rest == "config" || rest == "config/client") {
    hint = "the AWS secrets engine's own keys are written to aws/config/root (access_key, secret_key, region)";
  } else if (UnderPath(rest, "role", &name) && !name.empty()) {
    hint = "roles are written to aws/roles/" + std::string(name) +
           " (iam_user_ttl is default_ttl there, iam_user_max_ttl is max_ttl; iam_role_arn has no equivalent: "
           "the engine acts with config/root's keys, and assumed_role roles list role_arns)";
  } else if (UnderPath(rest, "creds", &name) && !name.empty()) {
    hint = "credentials are read from aws/creds/" + std::string(name);
  } else {
    hint = "the AWS secrets engine is mounted at aws/ (config/root, roles/<name>, creds/<name>)";
  }
  return Error(404, call.path + ": auth/aws/ is Vault's AWS auth method, which this server does not have; " + hint);
}

}  // namespace dyncreds::server
