#include "aws/retry_strategy.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace dyncreds::aws {
namespace {

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

RetryPolicy RetryPolicy::FromEnvironment() {
  RetryPolicy p;
  if (const char* env = std::getenv("AWS_MAX_ATTEMPTS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 100) p.max_attempts = static_cast<int>(v);
  }
  return p;
}

// The throttling codes of the AWS SDKs' standard retry mode.
bool IsThrottlingCode(std::string_view code) {
  return OneOf(code, {"Throttling", "ThrottlingException", "ThrottledException",
                      "RequestThrottledException", "TooManyRequestsException",
                      "ProvisionedThroughputExceededException", "TransactionInProgressException",
                      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
                      "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
                      "EC2ThrottledException"});
}

bool IsClockSkewCode(std::string_view code) {
  return OneOf(code, {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
                      "SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture"});
}

RetryClass ClassifyAwsError(std::string_view code, int http_status) {
  if (IsThrottlingCode(code)) return RetryClass::kThrottling;
  if (OneOf(code, {"RequestTimeout", "RequestTimeoutException", "InternalError",
                   "InternalFailure", "ServiceUnavailable", "ServiceFailure",
                   "IDPCommunicationError"})) {
    return RetryClass::kTransient;
  }
  if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
    return RetryClass::kTransient;
  }
  return RetryClass::kNotRetryable;
}

ErrorCode ErrorCodeForAws(std::string_view code, int http_status) {
  if (IsThrottlingCode(code)) return ErrorCode::kThrottled;
  if (OneOf(code, {"NoSuchEntity", "NoSuchEntityException"})) return ErrorCode::kNotFound;
  if (OneOf(code, {"EntityAlreadyExists", "DeleteConflict", "LimitExceeded",
                   "ConcurrentModification", "EntityTemporarilyUnmodifiable"})) {
    return ErrorCode::kConflict;
  }
  if (OneOf(code, {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                   "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken",
                   "IncompleteSignature", "MissingAuthenticationToken", "RequestExpired",
                   "InvalidAccessKeyId", "AuthFailure", "RegionDisabledException"})) {
    return ErrorCode::kPermissionDenied;
  }
  if (code.empty() && (http_status == 401 || http_status == 403)) {
    return ErrorCode::kPermissionDenied;
  }
  return ErrorCode::kAwsError;
}

RetryClass ClassifyTransportError(const Status& status) {
  if (status.Is(ErrorCode::kTimeout)) return RetryClass::kTimeout;
  if (status.Is(ErrorCode::kTransport)) return RetryClass::kTransient;
  return RetryClass::kNotRetryable;
}

RetryQuota::RetryQuota(const RetryPolicy& policy)
    : policy_(policy), tokens_(policy.initial_quota) {}

bool RetryQuota::Acquire(RetryClass kind, int* cost) {
  int c = kind == RetryClass::kTimeout ? policy_.timeout_retry_cost : policy_.retry_cost;
  std::lock_guard<std::mutex> lock(mu_);
  if (tokens_ < c) return false;
  tokens_ -= c;
  *cost += c;
  return true;
}

void RetryQuota::Release(int cost) {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_ = std::min(policy_.initial_quota,
                     tokens_ + (cost > 0 ? cost : policy_.no_retry_increment));
}

int RetryQuota::available() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_;
}

std::chrono::nanoseconds BackoffDelay(const RetryPolicy& policy, int retry, double jitter) {
  using std::chrono::nanoseconds;
  const double base = static_cast<double>(nanoseconds(policy.base_delay).count());
  const double cap = static_cast<double>(nanoseconds(policy.max_backoff).count());
  const double exp = base * static_cast<double>(1ULL << std::min(retry - 1, 30));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return nanoseconds(static_cast<std::int64_t>(jitter * std::min(exp, cap)));
}

}  // namespace dyncreds::aws
