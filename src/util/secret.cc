#include "dyncreds/secret.h"

#include <openssl/crypto.h>

#include <cstring>

namespace dyncreds {

void SecureWipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

SecretString::SecretString(std::string_view value) : size_(value.size()) {
  if (size_ == 0) return;
  data_.reset(new char[size_]);
  std::memcpy(data_.get(), value.data(), size_);
}

SecretString SecretString::OfSize(std::size_t size) {
  SecretString s;
  if (size == 0) return s;
  s.data_.reset(new char[size]());
  s.size_ = size;
  return s;
}

SecretString::SecretString(const SecretString& other) : SecretString(other.view()) {}

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) *this = SecretString(other.view());
  return *this;
}

// Moving hands the buffer over; nothing is left behind to wipe.
SecretString::SecretString(SecretString&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretString::~SecretString() { clear(); }

void SecretString::clear() noexcept {
  SecureWipe(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

bool SecretString::Equals(std::string_view other) const noexcept {
  if (other.size() != size_) return false;
  return size_ == 0 || CRYPTO_memcmp(data_.get(), other.data(), size_) == 0;
}

}  // namespace dyncreds
