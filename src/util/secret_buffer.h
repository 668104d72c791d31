// secret_buffer.h: SecretBuffer, a growable buffer for text that may carry a
// secret (a JSON document with a secret key, a value read from a file or
// standard input). Every allocation it gives up, when it grows or dies, is
// wiped first, so no copy of the secret is left in freed memory; a
// rapidjson::StringBuffer that grows by realloc leaves such copies behind.
//
// It is also a RapidJSON output stream: rapidjson::Writer<SecretBuffer>
// writes a secret-bearing document straight into it.
//
// Thread safety: like std::string.
#ifndef DYNCREDS_UTIL_SECRET_BUFFER_H_
#define DYNCREDS_UTIL_SECRET_BUFFER_H_

#include <cstddef>
#include <istream>
#include <memory>
#include <string_view>

#include "dyncreds/secret.h"

namespace dyncreds::util {

class SecretBuffer {
 public:
  using Ch = char;  // RapidJSON's stream concept

  SecretBuffer() = default;
  ~SecretBuffer();
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  void Put(char c);
  void Append(std::string_view text);
  void Flush() {}

  // Appends everything `in` still has to give.
  void AppendAll(std::istream& in);

  std::string_view view() const { return {data_.get(), size_}; }

  // The contents as a SecretString; the buffer is wiped and empty after.
  SecretString Take();

 private:
  void Reserve(std::size_t capacity);

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace dyncreds::util

#endif  // DYNCREDS_UTIL_SECRET_BUFFER_H_
