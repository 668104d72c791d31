// username_template.h: Vault's username templates (Go text/template syntax)
// for IAM user names, role session names and federation token names.
//
// Supported, as far as Vault's documented functions go:
//   text, {{ pipeline }}, {{ if pipeline }} ... {{ else if ... }} ... {{ else }} ... {{ end }},
//   {{- and -}} whitespace trimming, (sub pipelines), "strings", `raw strings`, integers,
//   .DisplayName .PolicyName .RoleName .Type, and the functions
//   printf (%s %d %v %q %%), truncate, truncate_sha256, lowercase, uppercase, replace,
//   sha256, base64, random, unix_time, unix_time_millis, timestamp (a Go layout), uuid,
//   eq, ne, not, and, or.
// `a | f x` calls f(x, a), as Go does. Unknown functions and fields are
// rejected when the template is parsed, so a bad template fails when the
// configuration is written, not when credentials are issued.
//
// Thread safety: a parsed UsernameTemplate is immutable; Render may be called
// from many threads at once.
#ifndef DYNCREDS_SRC_CORE_USERNAME_TEMPLATE_H_
#define DYNCREDS_SRC_CORE_USERNAME_TEMPLATE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "dyncreds/status.h"

namespace dyncreds::core {

// Vault's default template, unchanged: IAM names up to 64, STS names up to 32.
extern const char kDefaultUsernameTemplate[];

// The values a template can read.
struct TemplateData {
  std::string display_name;  // .DisplayName (the caller's name, normalised)
  std::string policy_name;   // .PolicyName (the role name, as Vault sets it)
  std::string role_name;     // .RoleName
  std::string type;          // .Type: "IAM" or "STS"
};

// Where a rendering gets time and randomness; tests fix them.
struct TemplateEnv {
  std::function<std::chrono::system_clock::time_point()> now;  // default: Clock::System()
  std::function<std::string(int)> random;  // n base62 characters; default: CSPRNG
  std::function<std::string()> uuid;       // default: random version-4 UUID
};

class UsernameTemplate {
 public:
  // kInvalidArgument naming `field` for a template that does not parse.
  static Result<UsernameTemplate> Parse(std::string_view text,
                                        std::string_view field = "username_template");

  // The rendered name, or kInvalidArgument naming the field for a failure
  // while rendering (a bad argument to a function, say).
  Result<std::string> Render(const TemplateData& data, const TemplateEnv& env = {}) const;

  const std::string& text() const { return text_; }

  struct Node;  // the parsed tree (username_template.cc)

 private:
  std::string text_;
  std::string field_;
  std::shared_ptr<const Node> root_;
};

// Vault's normalisation of names fed to templates: anything outside
// [a-zA-Z0-9+=,.@_-] becomes '_'.
std::string NormalizeTemplateInput(std::string_view value);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_USERNAME_TEMPLATE_H_
