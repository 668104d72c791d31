#include "util/secret_buffer.h"

#include <algorithm>
#include <cstring>

namespace dyncreds::util {

SecretBuffer::~SecretBuffer() {
  if (data_) SecureWipe(data_.get(), capacity_);
}

void SecretBuffer::Reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  capacity = std::max(capacity, capacity_ * 2);
  std::unique_ptr<char[]> bigger(new char[capacity]);
  if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
  if (data_) SecureWipe(data_.get(), capacity_);
  data_ = std::move(bigger);
  capacity_ = capacity;
}

void SecretBuffer::Put(char c) {
  if (size_ == capacity_) Reserve(std::max<std::size_t>(256, size_ + 1));
  data_[size_++] = c;
}

void SecretBuffer::Append(std::string_view text) {
  if (text.empty()) return;
  Reserve(size_ + text.size());
  std::memcpy(data_.get() + size_, text.data(), text.size());
  size_ += text.size();
}

void SecretBuffer::AppendAll(std::istream& in) {
  char chunk[4096];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    Append(std::string_view(chunk, static_cast<std::size_t>(in.gcount())));
    if (in.eof()) break;
  }
  SecureWipe(chunk, sizeof chunk);
}

SecretString SecretBuffer::Take() {
  SecretString out(view());
  if (data_) SecureWipe(data_.get(), capacity_);
  size_ = 0;
  return out;
}

}  // namespace dyncreds::util
