// query_client.h: one AWS Query API service (IAM or STS) over HTTP.
//
// A call builds the form body, signs it with SigV4, sends it through the
// HttpTransport, retries as the SDKs' standard mode does, corrects the
// signing clock once on a clock-skew error, and returns the parsed reply or
// a Status carrying AWS's error code, message, request id and HTTP status.
//
// Thread safety: a QueryClient may be used from many threads at once.
#ifndef DYNCREDS_SRC_AWS_QUERY_CLIENT_H_
#define DYNCREDS_SRC_AWS_QUERY_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "aws/endpoints.h"
#include "aws/query_request.h"
#include "aws/retry_strategy.h"
#include "aws/xml_reply.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/metrics.h"
#include "dyncreds/credentials.h"
#include "dyncreds/sys/http_transport.h"
#include "dyncreds/sigv4_signer.h"

namespace dyncreds::aws {

struct QueryClientOptions {
  std::string service;      // signing name: "iam" or "sts"
  std::string api_version;  // "2010-05-08" or "2011-06-15"
  ServiceEndpoint endpoint;
  HttpTransport* transport = nullptr;  // required; must outlive the client
  Clock* clock = nullptr;              // default: Clock::System()
  std::shared_ptr<const SigV4Signer> signer;  // default: a signer of its own
  RetryPolicy retry = RetryPolicy::FromEnvironment();
  // Random numbers in [0,1) for backoff jitter; default: a per-thread PRNG.
  std::function<double()> jitter;
  AwsCallObserver observer;  // told of each call once it is finished; may be empty
};

// Counters since the client was made (read with relaxed atomics).
struct QueryClientStats {
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> attempts{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> throttles{0};
  std::atomic<std::uint64_t> skew_corrections{0};
};

class QueryClient {
 public:
  explicit QueryClient(QueryClientOptions options);

  Result<QueryReply> Call(const QueryRequest& request, const AwsCredentials& credentials);

  const QueryClientOptions& options() const { return options_; }
  const QueryClientStats& stats() const { return stats_; }
  // The correction applied to the local clock when signing.
  std::chrono::seconds clock_offset() const { return std::chrono::seconds(offset_seconds_.load()); }

 private:
  Result<QueryReply> CallWithRetries(const QueryRequest& request, const AwsCredentials& credentials,
                                     AwsCallRecord* record);
  HttpRequest BuildHttpRequest(const QueryRequest& request) const;
  Status ErrorFromReply(const QueryRequest& request, const HttpResponse& response,
                        AwsErrorDetails* details) const;
  // True if the reply's Date shows our clock is off, and corrects it.
  bool CorrectClockSkew(const HttpResponse& response);

  QueryClientOptions options_;
  std::shared_ptr<RetryQuota> quota_;
  std::atomic<std::int64_t> offset_seconds_{0};
  QueryClientStats stats_;
};

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_QUERY_CLIENT_H_
