// credentials.h: a set of AWS credentials (access key id, secret, token).
//
// The secret access key and session token live in SecretStrings and are wiped
// when the object dies. `secret_fingerprint()` identifies the secret (for
// caches keyed by it) without holding it: a keyed SHA-256 under a random
// per-process key, so fingerprints are useless outside this process.
//
// Thread safety: immutable after construction; safe to share across threads.
#ifndef DYNCREDS_CREDENTIALS_H_
#define DYNCREDS_CREDENTIALS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "dyncreds/export.h"
#include "dyncreds/secret.h"

namespace dyncreds {

class DYNCREDS_EXPORT AwsCredentials {
 public:
  using Fingerprint = std::array<std::uint8_t, 32>;

  AwsCredentials() = default;
  AwsCredentials(std::string access_key_id, SecretString secret_access_key,
                 SecretString session_token = SecretString(),
                 std::optional<std::chrono::system_clock::time_point> expiration = std::nullopt);

  const std::string& access_key_id() const noexcept { return access_key_id_; }
  const SecretString& secret_access_key() const noexcept { return secret_access_key_; }
  const SecretString& session_token() const noexcept { return session_token_; }
  const std::optional<std::chrono::system_clock::time_point>& expiration() const noexcept {
    return expiration_;
  }
  const Fingerprint& secret_fingerprint() const noexcept { return fingerprint_; }
  bool empty() const noexcept { return access_key_id_.empty(); }

 private:
  std::string access_key_id_;
  SecretString secret_access_key_;
  SecretString session_token_;
  std::optional<std::chrono::system_clock::time_point> expiration_;
  Fingerprint fingerprint_{};
};

}  // namespace dyncreds

#endif  // DYNCREDS_CREDENTIALS_H_
