#include <strings.h>

#include "dyncreds/sys/http_transport.h"

namespace dyncreds {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

template <typename Headers>
auto* Find(Headers& headers, std::string_view name) {
  for (auto& h : headers) {
    if (SameName(h.name, name)) return &h;
  }
  return static_cast<decltype(&headers[0])>(nullptr);
}

}  // namespace

HttpTransport::~HttpTransport() = default;

const std::string* HttpRequest::FindHeader(std::string_view name) const {
  const HttpHeader* h = Find(headers, name);
  return h ? &h->value : nullptr;
}

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  if (HttpHeader* h = Find(headers, name)) {
    h->value = std::move(value);
  } else {
    headers.push_back({std::string(name), std::move(value)});
  }
}

const std::string* HttpResponse::FindHeader(std::string_view name) const {
  const HttpHeader* h = Find(headers, name);
  return h ? &h->value : nullptr;
}

}  // namespace dyncreds
