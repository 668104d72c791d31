// Role JSON (what `write aws/roles/NAME` sends). Invariant: a role that
// parses, written back with RoleToJson and parsed again, is the same role.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dyncreds/role.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  dyncreds::Result<dyncreds::Role> role = dyncreds::ApplyRoleJson("fuzz", json, nullptr);
  if (!role.ok()) return 0;
  const std::string written = dyncreds::RoleToJson(*role);
  dyncreds::Result<dyncreds::Role> again = dyncreds::ApplyRoleJson("fuzz", written, nullptr);
  if (!again.ok() || dyncreds::RoleToJson(*again) != written) std::abort();  // the round trip lost something
  return 0;
}
