// sys/http_transport.h (an extension interface): the HTTP seam.
// `HttpTransport` is the only place libdyncreds does network I/O; tests swap
// it for canned or faulty transports, and NewCurlTransport
// (curl_transport.h) is the real one.
//
// Thread safety: implementations must be safe for concurrent use from many
// threads.
#ifndef DYNCREDS_SYS_HTTP_TRANSPORT_H_
#define DYNCREDS_SYS_HTTP_TRANSPORT_H_

#include "dyncreds/export.h"
#include "dyncreds/http.h"
#include "dyncreds/status.h"

namespace dyncreds {

class DYNCREDS_EXPORT HttpTransport {
 public:
  virtual ~HttpTransport();
  // Sends one request and waits for the whole response. A reply with any
  // HTTP status is a success here; failures are network-level only:
  // kTransport (connect, TLS, reset, oversized reply) or kTimeout.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace dyncreds

#endif  // DYNCREDS_SYS_HTTP_TRANSPORT_H_
