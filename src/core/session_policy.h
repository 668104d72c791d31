// session_policy.h: the session policy of an STS credential whose role
// names IAM groups: the statements of the groups' inline policies merged
// into the role's document, as Vault does.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_SESSION_POLICY_H_
#define DYNCREDS_SRC_CORE_SESSION_POLICY_H_

#include <string>
#include <vector>

namespace dyncreds::core {

// One policy document holding every statement of `role_document` (may be
// empty) and of `group_documents`; documents without statements add none.
std::string CombinePolicies(const std::string& role_document, const std::vector<std::string>& group_documents);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_SESSION_POLICY_H_
