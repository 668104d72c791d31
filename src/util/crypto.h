// crypto.h: the small set of OpenSSL primitives libdyncreds uses, with
// algorithms fetched once per process (OpenSSL 3 fetches are not free).
#ifndef DYNCREDS_SRC_UTIL_CRYPTO_H_
#define DYNCREDS_SRC_UTIL_CRYPTO_H_

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dyncreds::crypto {

using Digest = std::array<std::uint8_t, 32>;

// SHA-256, fetched once; owned by the process, never freed by callers.
const EVP_MD* Sha256();

Digest Sha256Of(std::string_view data);
Digest HmacSha256(std::string_view key, std::string_view data);

// Writes the lowercase hex of `bytes` (2n chars, no terminator) at `out`.
// Inline: the signer calls it three times per signature.
inline void HexInto(const std::uint8_t* bytes, std::size_t n, char* out) {
  // Arithmetic instead of a table lookup, so the compiler can vectorize it:
  // nibble + '0', plus ('a' - '0' - 10) when the nibble is above 9.
  auto digit = [](unsigned v) {
    return static_cast<char>(v + '0' + (((9u - v) >> 8) & static_cast<unsigned>('a' - '0' - 10)));
  };
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digit(bytes[i] >> 4u);
    out[2 * i + 1] = digit(bytes[i] & 0xfu);
  }
}

// Appends the lowercase hex of `bytes` to `out`.
void AppendHex(const std::uint8_t* bytes, std::size_t n, std::string* out);
std::string Hex(const Digest& d);

// Fills `out` with bytes from OpenSSL's CSPRNG; false if it failed.
bool RandomBytes(std::uint8_t* out, std::size_t n);

// A random UUID, version 4 ("8-4-4-4-12" lower-case hex).
std::string RandomUuid();

}  // namespace dyncreds::crypto

#endif  // DYNCREDS_SRC_UTIL_CRYPTO_H_
