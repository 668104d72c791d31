#include "util/crypto.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>

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

// HMAC-SHA256 (RFC 2104) over plain digest calls: OpenSSL 3's HMAC()
// fetches a MAC implementation on every call, which costs more than the
// hashing itself for the short inputs of SigV4 key derivation.
Digest HmacSha256(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;
  std::uint8_t k[kBlock] = {};
  if (key.size() > kBlock) {
    Digest hashed = Sha256Of(key);
    std::memcpy(k, hashed.data(), hashed.size());
    OPENSSL_cleanse(hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(k, key.data(), key.size());
  }
  std::uint8_t pad[kBlock];
  Digest inner{}, out{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  EVP_DigestInit_ex(ctx, Sha256(), nullptr);
  EVP_DigestUpdate(ctx, pad, kBlock);
  EVP_DigestUpdate(ctx, data.data(), data.size());
  EVP_DigestFinal_ex(ctx, inner.data(), &len);
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  EVP_DigestInit_ex(ctx, Sha256(), nullptr);
  EVP_DigestUpdate(ctx, pad, kBlock);
  EVP_DigestUpdate(ctx, inner.data(), inner.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(pad, sizeof pad);
  OPENSSL_cleanse(inner.data(), inner.size());
  return out;
}

void AppendHex(const std::uint8_t* bytes, std::size_t n, std::string* out) {
  const std::size_t at = out->size();
  out->resize(at + 2 * n);
  HexInto(bytes, n, &(*out)[at]);
}

std::string Hex(const Digest& d) {
  std::string s;
  AppendHex(d.data(), d.size(), &s);
  return s;
}

std::string RandomUuid() {
  std::uint8_t b[16] = {};
  RandomBytes(b, sizeof b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex;
  AppendHex(b, sizeof b, &hex);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

bool RandomBytes(std::uint8_t* out, std::size_t n) {
  return RAND_bytes(out, static_cast<int>(n)) == 1;
}

}  // namespace dyncreds::crypto
