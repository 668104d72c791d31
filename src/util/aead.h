// aead.h: AES-256-GCM sealing of the few secrets a store keeps at rest
// (config/root's secret_key). A sealed value is
//   version (1 byte, 1) | nonce (12 random bytes) | ciphertext | tag (16 bytes)
// and is bound to `aad` (what the value is, e.g. "aws/config/root"), so a
// sealed value copied to another row does not open.
#ifndef DYNCREDS_SRC_UTIL_AEAD_H_
#define DYNCREDS_SRC_UTIL_AEAD_H_

#include <string>
#include <string_view>

#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds::crypto {

constexpr std::size_t kAeadKeySize = 32;

// `key` must be kAeadKeySize bytes.
Result<std::string> Seal(const SecretString& key, std::string_view plaintext, std::string_view aad);
// kEncryptionKey when the key is wrong or the value was altered.
Result<SecretString> Open(const SecretString& key, std::string_view sealed, std::string_view aad);

}  // namespace dyncreds::crypto

#endif  // DYNCREDS_SRC_UTIL_AEAD_H_
