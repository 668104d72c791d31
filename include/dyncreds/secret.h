// secret.h: SecretString, the only type libdyncreds keeps secrets in.
//
// A SecretString owns a heap buffer that is wiped (OPENSSL_cleanse) whenever
// the value is destroyed, replaced or moved from. It has no stream operator
// and no implicit conversion to std::string, so a secret cannot be logged or
// formatted into an error by accident; `view()` is the one explicit way in.
//
// Thread safety: like std::string. Const methods may be called concurrently.
#ifndef DYNCREDS_SECRET_H_
#define DYNCREDS_SECRET_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "dyncreds/export.h"

namespace dyncreds {

class DYNCREDS_EXPORT SecretString {
 public:
  SecretString() noexcept = default;
  explicit SecretString(std::string_view value);
  SecretString(const SecretString& other);
  SecretString& operator=(const SecretString& other);
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  // The secret bytes. The view is valid until this object is changed or dies.
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  // A secret of `size` zero bytes, to be filled in place through
  // mutable_data() (parsers use it to avoid a temporary copy).
  static SecretString OfSize(std::size_t size);
  char* mutable_data() noexcept { return data_.get(); }

  // Wipes and empties.
  void clear() noexcept;

  // Constant-time comparison.
  bool Equals(std::string_view other) const noexcept;

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

// Wipes `size` bytes at `data`; the compiler may not optimize it away.
DYNCREDS_EXPORT void SecureWipe(void* data, std::size_t size) noexcept;

}  // namespace dyncreds

#endif  // DYNCREDS_SECRET_H_
