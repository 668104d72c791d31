// root_config.h: config/root, with Vault's fields: the key the engine acts
// with, where AWS is, and the username template. Read from JSON onto the
// current value (a write names only what changes), written back without the
// secret, which the store keeps apart and seals.
//
// Thread safety: plain values and pure functions.
#ifndef DYNCREDS_SRC_CORE_ROOT_CONFIG_H_
#define DYNCREDS_SRC_CORE_ROOT_CONFIG_H_

#include <string>
#include <string_view>

#include "core/username_template.h"
#include "dyncreds/credentials.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds::core {

constexpr char kRootConfigKey[] = "config/root";

struct RootConfig {
  std::string access_key;
  SecretString secret_key;  // stored apart from the rest: the store seals it
  std::string region;
  std::string iam_endpoint;
  std::string sts_endpoint;
  std::string sts_region;
  int max_retries = -1;
  std::string username_template = kDefaultUsernameTemplate;
};

// Applies config/root's JSON fields onto `root`; an unknown or mistyped field
// is refused by name. The JSON is parsed in a buffer that wipes itself, so
// secret_key leaves no copy behind but `root->secret_key`.
Status MergeRootJson(std::string_view json, RootConfig* root);

// config/root as JSON, never with secret_key.
std::string RootJson(const RootConfig& root);

// The configured key, or (as Vault's SDK chain starts) the standard
// environment variables when config/root names none.
AwsCredentials RootCredentials(const RootConfig& root);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_ROOT_CONFIG_H_
