// retry_strategy.h: AWS SDKs' "standard" retry mode.
//
// Up to `max_attempts` attempts; exponential backoff with full jitter,
// capped at 20 s; a retry-quota token bucket shared by all calls of a client
// so that an outage does not multiply traffic. Throttling, 500/502/503/504,
// transient AWS codes and connection errors are retried; AccessDenied and
// validation errors never are.
#ifndef DYNCREDS_SRC_AWS_RETRY_STRATEGY_H_
#define DYNCREDS_SRC_AWS_RETRY_STRATEGY_H_

#include <chrono>
#include <mutex>
#include <string_view>

#include "dyncreds/status.h"

namespace dyncreds::aws {

struct RetryPolicy {
  int max_attempts = 3;  // AWS_MAX_ATTEMPTS overrides the default
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
  int initial_quota = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;

  // The default policy, with max_attempts from AWS_MAX_ATTEMPTS when it is a
  // positive integer.
  static RetryPolicy FromEnvironment();
};

enum class RetryClass {
  kNotRetryable,
  kThrottling,  // the service asked us to slow down
  kTransient,   // 5xx, transient codes, connection errors
  kTimeout,     // costs more quota than other transient errors
};

// How an AWS error code / HTTP status should be treated.
RetryClass ClassifyAwsError(std::string_view code, int http_status);
// How a transport-level failure (no HTTP reply) should be treated.
RetryClass ClassifyTransportError(const Status& status);
bool IsThrottlingCode(std::string_view code);
// The product-level error kind of an AWS error code (kNotFound, kConflict,
// kPermissionDenied, kThrottled, else kAwsError).
ErrorCode ErrorCodeForAws(std::string_view aws_code, int http_status);
// Codes that mean "the request's time is off" (clock skew).
bool IsClockSkewCode(std::string_view code);

// The shared token bucket. Thread-safe.
class RetryQuota {
 public:
  explicit RetryQuota(const RetryPolicy& policy);
  // Takes the cost of one retry; false if the bucket cannot pay for it.
  bool Acquire(RetryClass kind, int* cost);
  // After a success: refunds `cost` if the call was retried, else adds the
  // small no-retry increment, never above the initial size.
  void Release(int cost);
  int available() const;

 private:
  const RetryPolicy policy_;
  mutable std::mutex mu_;
  int tokens_;  // GUARDED_BY(mu_)
};

// The delay before retry number `retry` (1 = first retry): a random fraction
// `jitter` in [0,1) of base * 2^(retry-1), capped at max_backoff.
std::chrono::nanoseconds BackoffDelay(const RetryPolicy& policy, int retry, double jitter);

}  // namespace dyncreds::aws

#endif  // DYNCREDS_SRC_AWS_RETRY_STRATEGY_H_
