#include "dyncreds/store_key.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "util/crypto.h"

namespace dyncreds {
namespace {

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  const std::size_t begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

constexpr const char* kHowToMake = "make one with: head -c 32 /dev/urandom | base64";

Result<SecretString> DecodeBase64Key(std::string_view text, std::string_view source) {
  const std::string_view b64 = Trim(text);
  const std::size_t padding = b64.size() - b64.find_last_not_of('=') - 1;
  if (b64.size() != 44 || padding != 1) {
    return Status::EncryptionKey(std::string(source) + " must hold 32 raw bytes or their base64 (44 characters); " +
                                 kHowToMake);
  }
  SecretString decoded = SecretString::OfSize(33);  // EVP_DecodeBlock writes the padding's zero byte too
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.mutable_data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n != 33) return Status::EncryptionKey(std::string(source) + " is not valid base64; " + kHowToMake);
  return SecretString(decoded.view().substr(0, kStoreKeySize));
}

}  // namespace

Result<SecretString> ParseStoreKey(std::string_view text, std::string_view source) {
  if (text.size() == kStoreKeySize) return SecretString(text);  // raw bytes (a file of exactly 32)
  return DecodeBase64Key(text, source);
}

Result<SecretString> ReadStoreKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::EncryptionKey("cannot read the store key file " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<SecretString> key = ParseStoreKey(text, "the store key file " + path);
  SecureWipe(text.data(), text.size());
  return key;
}

Result<SecretString> StoreKeyFromEnvironment() {
  if (const char* file = std::getenv("DYNCREDS_STORE_KEY_FILE"); file != nullptr && *file != '\0') {
    return ReadStoreKeyFile(file);
  }
  if (const char* key = std::getenv("DYNCREDS_STORE_KEY"); key != nullptr && *key != '\0') {
    return DecodeBase64Key(key, "DYNCREDS_STORE_KEY");
  }
  return SecretString();
}

SecretString NewStoreKeyBase64() {
  unsigned char raw[kStoreKeySize];
  unsigned char b64[45];
  crypto::RandomBytes(raw, sizeof raw);
  const int n = EVP_EncodeBlock(b64, raw, sizeof raw);
  SecretString out(std::string_view(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n)));
  SecureWipe(raw, sizeof raw);
  SecureWipe(b64, sizeof b64);
  return out;
}

}  // namespace dyncreds
