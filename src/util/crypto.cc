#include "util/crypto.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace dyncreds::crypto {

const EVP_MD* Sha256() {
  static const EVP_MD* const kMd = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) std::abort();  // an OpenSSL without SHA-256 is unusable
    return md;
  }();
  return kMd;
}

Digest Sha256Of(std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), d.data(), &len, Sha256(), nullptr);
  return d;
}

Digest HmacSha256(std::string_view key, std::string_view data) {
  Digest d{};
  unsigned int len = 0;
  HMAC(Sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data(), &len);
  return d;
}

void AppendHex(const std::uint8_t* bytes, std::size_t n, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out->size();
  out->resize(at + 2 * n);
  char* p = &(*out)[at];
  for (std::size_t i = 0; i < n; ++i) {
    *p++ = kDigits[bytes[i] >> 4];
    *p++ = kDigits[bytes[i] & 0xf];
  }
}

std::string Hex(const Digest& d) {
  std::string s;
  AppendHex(d.data(), d.size(), &s);
  return s;
}

bool RandomBytes(std::uint8_t* out, std::size_t n) {
  return RAND_bytes(out, static_cast<int>(n)) == 1;
}

}  // namespace dyncreds::crypto
