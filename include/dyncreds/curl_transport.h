// curl_transport.h: the HttpTransport over libcurl, with connection reuse,
// TLS verified by default, and replies wiped as they are taken in.
//
// Thread safety: the transport NewCurlTransport returns is safe for
// concurrent use from many threads.
#ifndef DYNCREDS_CURL_TRANSPORT_H_
#define DYNCREDS_CURL_TRANSPORT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "dyncreds/export.h"
#include "dyncreds/sys/http_transport.h"

namespace dyncreds {

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

#endif  // DYNCREDS_CURL_TRANSPORT_H_
