// acl_policy.h: Vault's ACL policies in their JSON form, and the rule that
// decides what a token may do on a path.
//
//   {"path": {"aws/creds/readonly": {"capabilities": ["read"]},
//             "sys/leases/revoke-prefix/aws/*": {"capabilities": ["update", "sudo"]}}}
//
// A pattern is a path, `*` at its end matching any rest, and `+` matching one
// whole segment. The rules of all a token's policies are merged (the same
// pattern in two policies gets both capability sets; `deny` in any wins),
// and of the patterns matching a path the most specific decides, by
// Vault's order: the first wildcard comes later; no trailing `*`; fewer `+`;
// longer; then the greater string.
//
// Thread safety: values; Acl is immutable once built.
#ifndef DYNCREDS_SRC_SERVER_ACL_POLICY_H_
#define DYNCREDS_SRC_SERVER_ACL_POLICY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/status.h"

namespace dyncreds::server {

enum Capability : unsigned {
  kCreate = 1u << 0,
  kRead = 1u << 1,
  kUpdate = 1u << 2,
  kDelete = 1u << 3,
  kList = 1u << 4,
  kSudo = 1u << 5,
  kDeny = 1u << 6,
};

struct PathRule {
  std::string pattern;
  unsigned capabilities = 0;
};

// The rules of one policy text; kInvalidArgument naming "policy" and what is
// wrong (HCL is refused with a message saying to use the JSON form).
Result<std::vector<PathRule>> ParseAclPolicy(std::string_view text);

// Does `pattern` match `path`?
bool PatternMatches(std::string_view pattern, std::string_view path);

class Acl {
 public:
  Acl() = default;  // allows nothing
  static Acl Root();
  void Add(const std::vector<PathRule>& rules);

  // The capabilities granted on `path` (0 if none, or if denied).
  unsigned CapabilitiesOn(std::string_view path) const;
  bool Allows(std::string_view path, unsigned any_of, bool needs_sudo) const;
  bool root() const { return root_; }

 private:
  bool root_ = false;
  std::map<std::string, unsigned> rules_;  // pattern -> merged capabilities
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_ACL_POLICY_H_
