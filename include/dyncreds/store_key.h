// store_key.h: the 32-byte key a lease store seals its secrets with
// (AES-256-GCM). The host supplies it: through the API, or from the
// environment, as the CLI does:
//   DYNCREDS_STORE_KEY_FILE  a file holding the 32 raw bytes or their base64
//   DYNCREDS_STORE_KEY       the base64 of the 32 bytes
// Keys are SecretStrings: wiped when freed, never printed.
//
// Thread safety: free functions; safe from any thread (the environment must
// not be modified concurrently, as for getenv itself).
#ifndef DYNCREDS_STORE_KEY_H_
#define DYNCREDS_STORE_KEY_H_

#include <string>
#include <string_view>

#include "dyncreds/export.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds {

constexpr std::size_t kStoreKeySize = 32;

// 32 raw bytes, or base64 of 32 bytes (surrounding whitespace ignored).
// kEncryptionKey naming `source` otherwise.
DYNCREDS_EXPORT Result<SecretString> ParseStoreKey(std::string_view text, std::string_view source);
DYNCREDS_EXPORT Result<SecretString> ReadStoreKeyFile(const std::string& path);
// DYNCREDS_STORE_KEY_FILE, else DYNCREDS_STORE_KEY; an empty key when
// neither is set.
DYNCREDS_EXPORT Result<SecretString> StoreKeyFromEnvironment();
// A fresh key from OpenSSL's CSPRNG, as base64 (what to put in a key file).
DYNCREDS_EXPORT SecretString NewStoreKeyBase64();

}  // namespace dyncreds

#endif  // DYNCREDS_STORE_KEY_H_
