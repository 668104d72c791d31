// Vault ACL policies (JSON form), and the path matching they drive.
// Invariants: a deny anywhere on the most specific pattern grants nothing;
// matching terminates on any pattern and path.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/acl_policy.h"

using namespace dyncreds::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The input also serves as a pattern and a path (split at the first newline).
  const std::size_t nl = text.find('\n');
  (void)PatternMatches(text.substr(0, nl), nl == std::string::npos ? text : text.substr(nl + 1));
  dyncreds::Result<std::vector<PathRule>> rules = ParseAclPolicy(text);
  if (!rules.ok()) return 0;
  Acl acl;
  acl.Add(*rules);
  for (const PathRule& rule : *rules) {
    std::string path = rule.pattern;
    if (!path.empty() && path.back() == '*') path.pop_back();
    const unsigned caps = acl.CapabilitiesOn(path);
    if (caps & kDeny) std::abort();  // deny is never reported as a capability
  }
  return 0;
}
