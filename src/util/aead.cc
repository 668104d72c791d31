#include "util/aead.h"

#include <openssl/evp.h>

#include <memory>

#include "util/crypto.h"

namespace dyncreds::crypto {
namespace {

constexpr unsigned char kVersion = 1;
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const kCipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return kCipher;
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<std::string> Seal(const SecretString& key, std::string_view plaintext, std::string_view aad) {
  if (key.size() != kAeadKeySize) return Status::EncryptionKey("the store key must be 32 bytes");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kVersion;
  unsigned char* nonce = p + 1;
  unsigned char* body = nonce + kNonceSize;
  int len = 0;
  const bool ok = Aes256Gcm() != nullptr && ctx && RandomBytes(nonce, kNonceSize) &&
                  EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), Bytes(key.view()), nonce, nullptr) == 1 &&
                  EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
                  EVP_EncryptUpdate(ctx.get(), body, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) == 1 &&
                  EVP_EncryptFinal_ex(ctx.get(), body + len, &len) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, body + plaintext.size()) == 1;
  if (!ok) return Status::Internal("AES-256-GCM encryption failed in OpenSSL");
  return out;
}

Result<SecretString> Open(const SecretString& key, std::string_view sealed, std::string_view aad) {
  if (key.size() != kAeadKeySize) return Status::EncryptionKey("the store key must be 32 bytes");
  if (sealed.size() < 1 + kNonceSize + kTagSize || static_cast<unsigned char>(sealed[0]) != kVersion) {
    return Status::EncryptionKey("the sealed value for " + std::string(aad) + " is not in a format this version reads");
  }
  const auto* nonce = Bytes(sealed.substr(1, kNonceSize));
  const std::string_view body = sealed.substr(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));  // the ctrl call wants it writable
  SecretString plain = SecretString::OfSize(body.size());
  auto* out = reinterpret_cast<unsigned char*>(plain.mutable_data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  const bool ready = Aes256Gcm() != nullptr && ctx &&
                     EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), Bytes(key.view()), nonce, nullptr) == 1 &&
                     EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1 &&
                     EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(body), static_cast<int>(body.size())) == 1 &&
                     EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1;
  if (!ready) return Status::Internal("AES-256-GCM decryption failed in OpenSSL");
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1) {
    plain.clear();
    return Status::EncryptionKey("the store key does not open the sealed value for " + std::string(aad) +
                                 " (a different key sealed it, or the value was altered)");
  }
  return plain;
}

}  // namespace dyncreds::crypto
