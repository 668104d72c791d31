// iam_names.h: the names IAM and STS accept for users, sessions and
// federated users: min..max of letters, digits and _+=,.@-.
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_IAM_NAMES_H_
#define DYNCREDS_SRC_CORE_IAM_NAMES_H_

#include <cstddef>
#include <string_view>

namespace dyncreds::core {

// IAM user names are 1-64 such characters, role session names 2-64, and
// federation token names 2-32.
bool IsIamName(std::string_view s, std::size_t min, std::size_t max);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_IAM_NAMES_H_
