// http.h: the HTTP seam. `HttpTransport` is the only place libdyncreds does
// network I/O; tests swap it for canned or faulty transports.
//
// Thread safety: HttpTransport implementations must be safe for concurrent
// use from many threads. The transport returned by NewCurlTransport() is.
#ifndef DYNCREDS_HTTP_H_
#define DYNCREDS_HTTP_H_

#include <chrono>
#include <cstddef>
#include <memory>
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

class DYNCREDS_EXPORT HttpTransport {
 public:
  virtual ~HttpTransport();
  // Sends one request and waits for the whole response. A reply with any
  // HTTP status is a success here; failures are network-level only:
  // kTransport (connect, TLS, reset, oversized reply) or kTimeout.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds total_timeout{30000};  // per request, 0 = none
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  bool verify_tls = true;  // only ever turn off against a local test endpoint
  // PEM bundle of trusted CAs. Empty: the AWS_CA_BUNDLE environment variable,
  // else the system store.
  std::string ca_bundle;
  // Proxies come from the standard environment (https_proxy, no_proxy, ...)
  // unless `proxy` is set.
  std::string proxy;
  // Idle connections kept for reuse (keep-alive), across all threads.
  std::size_t max_idle_connections = 16;
};

// A libcurl transport with connection reuse, safe for concurrent use.
// Caller owns the result.
DYNCREDS_EXPORT std::unique_ptr<HttpTransport> NewCurlTransport(
    const CurlTransportOptions& options = CurlTransportOptions());

}  // namespace dyncreds

#endif  // DYNCREDS_HTTP_H_
