#include "core/iam_names.h"

#include <cctype>

namespace dyncreds::core {

bool IsIamName(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && std::string_view("_+=,.@-").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace dyncreds::core
