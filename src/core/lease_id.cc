#include "core/lease_id.h"

#include <cstdint>

#include "util/crypto.h"

namespace dyncreds::core {

std::string NewLeaseSuffix(std::chrono::system_clock::time_point now) {
  std::uint8_t bytes[16];
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  crypto::RandomBytes(bytes + 6, 10);
  std::string hex;
  crypto::AppendHex(bytes, sizeof bytes, &hex);
  return hex;
}

std::string NewLeaseId(const std::string& mount, const std::string& role, std::chrono::system_clock::time_point now) {
  return mount + "/creds/" + role + "/" + NewLeaseSuffix(now);
}

}  // namespace dyncreds::core
