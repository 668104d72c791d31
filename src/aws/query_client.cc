#include "aws/query_client.h"

#include <strings.h>

#include <algorithm>
#include <random>

#include "dyncreds/version.h"
#include "util/time_format.h"

namespace dyncreds::aws {
namespace {

constexpr char kUserAgent[] = "libdyncreds/" DYNCREDS_VERSION_STRING;
// AWS accepts requests up to 5 minutes off; correct beyond 4.
constexpr std::chrono::minutes kSkewThreshold{4};

double DefaultJitter() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Error text from a reply that was not an AWS error document: a short,
// printable excerpt, so a proxy's HTML page still says something useful.
std::string Excerpt(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 160)) out.push_back((c >= 32 && c < 127) ? c : ' ');
  return out;
}

// The signed copy of the request carries the session token in a header.
void WipeSessionToken(HttpRequest* http) {
  for (HttpHeader& h : http->headers) {
    if (!h.value.empty() && strcasecmp(h.name.c_str(), "X-Amz-Security-Token") == 0) {
      SecureWipe(&h.value[0], h.value.size());
    }
  }
}

}  // namespace

QueryClient::QueryClient(QueryClientOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::System();
  if (!options_.signer) options_.signer = std::make_shared<SigV4Signer>();
  if (!options_.jitter) options_.jitter = &DefaultJitter;
  options_.retry.max_attempts = std::max(1, options_.retry.max_attempts);
  quota_ = std::make_shared<RetryQuota>(options_.retry);
}

HttpRequest QueryClient::BuildHttpRequest(const QueryRequest& request) const {
  HttpRequest http;
  http.method = "POST";
  http.url = options_.endpoint.url + "/";
  http.headers.reserve(6);
  http.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
  http.headers.push_back({"User-Agent", kUserAgent});
  http.body = request.FormBody();
  return http;
}

Status QueryClient::ErrorFromReply(const QueryRequest& request, const HttpResponse& response,
                                   AwsErrorDetails* details) const {
  if (!ParseErrorReply(response.body, details)) {
    details->code.clear();
    details->message = "HTTP " + std::to_string(response.status) + " with no AWS error document";
    if (!response.body.empty()) details->message += ": " + Excerpt(response.body);
  }
  details->http_status = response.status;
  if (details->request_id.empty()) {
    for (const char* h : {"x-amzn-RequestId", "x-amz-request-id"}) {
      if (const std::string* v = response.FindHeader(h)) {
        details->request_id = *v;
        break;
      }
    }
  }
  return Status::FromAws(ErrorCodeForAws(details->code, response.status),
                         options_.service + " " + request.action() + " failed", *details);
}

bool QueryClient::CorrectClockSkew(const HttpResponse& response) {
  const std::string* date = response.FindHeader("Date");
  if (date == nullptr) return false;
  std::optional<timefmt::TimePoint> server = timefmt::ParseHttpDate(*date);
  if (!server) return false;
  const auto local = options_.clock->Now();
  const auto signing = local + std::chrono::seconds(offset_seconds_.load());
  const auto off_by = *server - signing;
  if (off_by < kSkewThreshold && off_by > -kSkewThreshold) return false;
  offset_seconds_.store(std::chrono::duration_cast<std::chrono::seconds>(*server - local).count());
  stats_.skew_corrections.fetch_add(1, std::memory_order_relaxed);
  return true;
}

Result<QueryReply> QueryClient::Call(const QueryRequest& request,
                                     const AwsCredentials& credentials) {
  AwsCallRecord record{options_.service, std::string(request.action()), 0, 0, Status()};
  Result<QueryReply> reply = CallWithRetries(request, credentials, &record);
  if (options_.observer) {
    record.status = reply.status();
    options_.observer(record);
  }
  return reply;
}

Result<QueryReply> QueryClient::CallWithRetries(const QueryRequest& request, const AwsCredentials& credentials,
                                                AwsCallRecord* record) {
  if (options_.transport == nullptr) return Status::Internal("QueryClient has no transport");
  stats_.calls.fetch_add(1, std::memory_order_relaxed);
  const HttpRequest unsigned_request = BuildHttpRequest(request);
  SigningParams params;
  params.region = options_.endpoint.signing_region;
  params.service = options_.service;
  int quota_cost = 0;
  bool skew_corrected = false;

  for (int attempt = 1;; ++attempt) {
    stats_.attempts.fetch_add(1, std::memory_order_relaxed);
    ++record->attempts;
    HttpRequest http = unsigned_request;
    params.time = options_.clock->Now() + std::chrono::seconds(offset_seconds_.load());
    Status signed_ok = options_.signer->SignHeaders(http, credentials, params);
    if (!signed_ok.ok()) return signed_ok;
    Result<HttpResponse> sent = options_.transport->Send(http);
    WipeSessionToken(&http);

    Status failure;
    RetryClass kind;
    if (!sent.ok()) {
      failure = sent.status().WithContext(options_.service + " " + request.action());
      kind = ClassifyTransportError(sent.status());
    } else if (sent->status >= 200 && sent->status < 300) {
      Result<QueryReply> reply = QueryReply::Parse(std::move(sent->body), request.action());
      if (reply.ok()) quota_->Release(quota_cost);
      return reply;
    } else {
      AwsErrorDetails details;
      failure = ErrorFromReply(request, *sent, &details);
      if (IsClockSkewCode(details.code) && !skew_corrected && CorrectClockSkew(*sent)) {
        skew_corrected = true;  // one free retry with the corrected clock
        --attempt;
        continue;
      }
      kind = ClassifyAwsError(details.code, sent->status);
      if (kind == RetryClass::kThrottling) {
        stats_.throttles.fetch_add(1, std::memory_order_relaxed);
        ++record->throttles;
      }
    }

    if (kind == RetryClass::kNotRetryable) return failure;
    if (attempt >= options_.retry.max_attempts || !quota_->Acquire(kind, &quota_cost)) {
      const std::string why = attempt >= options_.retry.max_attempts
                                  ? "after " + std::to_string(attempt) + " attempts"
                                  : "retry quota exhausted";
      return failure.WithContext(why);
    }
    stats_.retries.fetch_add(1, std::memory_order_relaxed);
    options_.clock->SleepFor(BackoffDelay(options_.retry, attempt, options_.jitter()));
  }
}

}  // namespace dyncreds::aws
