// instant_iam_transport.h: an HttpTransport that answers every IAM action
// the engine uses at once, with canned replies shaped as IAM's, so
// benchmarks measure only our own code (and the store).
//
// Thread safety: Send may be called from many threads at once.
#ifndef DYNCREDS_TESTS_SUPPORT_INSTANT_IAM_TRANSPORT_H_
#define DYNCREDS_TESTS_SUPPORT_INSTANT_IAM_TRANSPORT_H_

#include "dyncreds/sys/http_transport.h"

namespace dyncreds::testing {

class InstantIamTransport : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override;
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_INSTANT_IAM_TRANSPORT_H_
