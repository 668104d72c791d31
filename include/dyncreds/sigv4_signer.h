// sigv4_signer.h: AWS Signature Version 4, by header or by pre-signed URL.
//
// Signing is a pure function of the request, the credentials and the
// parameters (which carry the time); the signer never reads a clock.
// Derived signing keys are cached per (secret fingerprint, date, region,
// service): a cache hit costs no HMAC chain. The cache never holds a secret
// in the clear, and cached keys are wiped when evicted.
//
// Thread safety: a SigV4Signer may be used from many threads at once.
#ifndef DYNCREDS_SIGV4_SIGNER_H_
#define DYNCREDS_SIGV4_SIGNER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dyncreds/credentials.h"
#include "dyncreds/export.h"
#include "dyncreds/http.h"
#include "dyncreds/status.h"

namespace dyncreds {

enum class PayloadHashMode {
  kHashBody,          // SHA-256 of HttpRequest::body
  kUnsignedPayload,   // the literal "UNSIGNED-PAYLOAD"
  kPrecomputed,       // SigningParams::payload_hash, hex, given by the caller
};

struct SigningParams {
  std::string region;   // "us-east-1"
  std::string service;  // signing name: "iam", "sts", "s3", ...
  std::chrono::system_clock::time_point time;

  // Canonical URI rules. Every service but S3 normalizes the path (removes
  // dot segments, collapses '//') and encodes it a second time.
  bool normalize_path = true;
  bool double_uri_encode = true;

  PayloadHashMode payload = PayloadHashMode::kHashBody;
  std::string payload_hash;  // with kPrecomputed only

  // Adds and signs "x-amz-content-sha256" (S3 and some others want it).
  bool add_content_sha256_header = false;
  // Adds X-Amz-Security-Token after signing instead of signing it (a few
  // services, e.g. IoT, want this).
  bool omit_session_token = false;

  // Pre-signed URLs only: X-Amz-Expires.
  std::chrono::seconds expires{3600};
};

// What signing produced, for tests and debugging. Holds no secret.
struct SigningTrace {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
};

class DYNCREDS_EXPORT SigV4Signer {
 public:
  // `max_cached_keys`: derived keys kept; 0 disables the cache.
  explicit SigV4Signer(std::size_t max_cached_keys = 64);
  ~SigV4Signer();
  SigV4Signer(const SigV4Signer&) = delete;
  SigV4Signer& operator=(const SigV4Signer&) = delete;

  // Signs with an Authorization header. Sets (in place, or appended in this
  // order) X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256 (if asked)
  // and Authorization. Host is taken from the Host header, else the URL.
  // `trace`, if not null, receives the intermediate strings.
  Status SignHeaders(HttpRequest& request, const AwsCredentials& credentials,
                     const SigningParams& params, SigningTrace* trace = nullptr) const;

  // Pre-signs: appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders,
  // -Expires, -Security-Token and -Signature to the URL's query string.
  Status Presign(HttpRequest& request, const AwsCredentials& credentials,
                 const SigningParams& params, SigningTrace* trace = nullptr) const;

  struct CacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  CacheStats cache_stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_SIGV4_SIGNER_H_
