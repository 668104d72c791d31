#include "dyncreds/credentials.h"

#include <cstdlib>

#include "util/crypto.h"

namespace dyncreds {
namespace {

// A random key for this process, so fingerprints cannot be compared across
// processes or brute-forced from a leaked cache dump.
std::string_view FingerprintKey() {
  static const std::array<std::uint8_t, 32> kKey = [] {
    std::array<std::uint8_t, 32> k{};
    if (!crypto::RandomBytes(k.data(), k.size())) std::abort();
    return k;
  }();
  return {reinterpret_cast<const char*>(kKey.data()), kKey.size()};
}

}  // namespace

AwsCredentials::AwsCredentials(std::string access_key_id, SecretString secret_access_key,
                               SecretString session_token,
                               std::optional<std::chrono::system_clock::time_point> expiration)
    : access_key_id_(std::move(access_key_id)),
      secret_access_key_(std::move(secret_access_key)),
      session_token_(std::move(session_token)),
      expiration_(expiration),
      fingerprint_(crypto::HmacSha256(FingerprintKey(), secret_access_key_.view())) {}

}  // namespace dyncreds
