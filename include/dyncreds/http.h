// http.h: an HTTP request and response, as the signer signs them and an
// HttpTransport (sys/http_transport.h) sends them.
//
// Thread safety: plain values.
#ifndef DYNCREDS_HTTP_H_
#define DYNCREDS_HTTP_H_

#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct DYNCREDS_EXPORT HttpRequest {
  std::string method = "POST";
  // Absolute URL, already percent-encoded as it goes on the wire:
  // "https://iam.amazonaws.com/", "http://127.0.0.1:8080/path?a=b".
  std::string url;
  std::vector<HttpHeader> headers;  // in the order they are sent
  std::string body;

  // The value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  // Replaces the first header named `name` in place, or appends it.
  void SetHeader(std::string_view name, std::string value);
};

struct DYNCREDS_EXPORT HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  const std::string* FindHeader(std::string_view name) const;
};

}  // namespace dyncreds

#endif  // DYNCREDS_HTTP_H_
