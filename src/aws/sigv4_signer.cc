// SigV4Signer: strings the stages of sigv4_internal.h together, with a cache
// of derived signing keys and per-thread buffers, so that once they have
// grown a signature allocates only the headers it adds to the request.
#include "dyncreds/sigv4_signer.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "aws/sigv4_internal.h"
#include "util/crypto.h"
#include "util/time_format.h"
#include "util/uri.h"

namespace dyncreds {
namespace {

using sigv4::HmacKeySchedule;

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// What a derived signing key is for: one secret, day, region and service.
struct KeyScope {
  AwsCredentials::Fingerprint fingerprint{};
  char date[8] = {};
  std::string region;
  std::string service;

  KeyScope() = default;
  KeyScope(const AwsCredentials& creds, std::string_view yyyymmdd, const SigningParams& params)
      : fingerprint(creds.secret_fingerprint()), region(params.region), service(params.service) {
    std::memcpy(date, yyyymmdd.data(), 8);
  }
  bool Matches(const AwsCredentials& creds, std::string_view yyyymmdd, const SigningParams& params) const {
    return fingerprint == creds.secret_fingerprint() && std::memcmp(date, yyyymmdd.data(), 8) == 0 &&
           region == params.region && service == params.service;
  }
};

std::shared_ptr<const HmacKeySchedule> DeriveKey(const AwsCredentials& creds, std::string_view yyyymmdd,
                                                 const SigningParams& params) {
  crypto::Digest k =
      sigv4::DeriveSigningKey(creds.secret_access_key(), yyyymmdd, params.region, params.service);
  auto schedule = std::make_shared<const HmacKeySchedule>(k);
  SecureWipe(k.data(), k.size());
  return schedule;
}

// Per-thread buffers, reused from one signature to the next.
struct Scratch {
  sigv4::CanonicalRequest canonical;
  std::string string_to_sign;
  std::string lower_names;  // the request's header names, lowercased
  std::string scope;        // "yyyymmdd/region/service/aws4_request"
  std::string host;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  // The last formatted second, so X-Amz-Date is formatted once a second.
  std::int64_t date_second = INT64_MIN;
  char amz_date[16] = {};
  // The signing key this thread used last, so a run of signatures with one
  // key skips the signer's shared cache and its lock. Weak: the key lives
  // only as long as the signer's cache keeps it (it is a secret). A key
  // served from here does not refresh its place in the cache's LRU order; if
  // evicted, it is derived again, which costs one derivation and no more.
  struct LastKey {
    const void* signer = nullptr;
    KeyScope scope;
    std::weak_ptr<const HmacKeySchedule> key;
  } last_key;

  Scratch() {
    string_to_sign.reserve(256);
    lower_names.reserve(256);
    scope.reserve(64);
    host.reserve(64);
  }
  ~Scratch() { EVP_MD_CTX_free(md); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::string_view AmzDate(std::chrono::system_clock::time_point time) {
    const std::int64_t second =
        std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
    if (second != date_second) {
      timefmt::FormatAmzDate(time, amz_date);
      date_second = second;
    }
    return std::string_view(amz_date, 16);
  }

  // Rebuilt only when the date, region or service changes.
  std::string_view Scope(std::string_view date, const SigningParams& params) {
    const std::size_t size = 8 + 1 + params.region.size() + 1 + params.service.size() + 1 +
                             sigv4::kTerminator.size();
    if (scope.size() != size || scope.compare(0, 8, date) != 0 ||
        scope.compare(9, params.region.size(), params.region) != 0 ||
        scope.compare(10 + params.region.size(), params.service.size(), params.service) != 0) {
      scope.clear();
      scope.append(date).append("/").append(params.region).append("/").append(params.service);
      scope.append("/").append(sigv4::kTerminator);
    }
    return scope;
  }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

Status CheckInputs(const AwsCredentials& creds, const SigningParams& params) {
  if (creds.access_key_id().empty()) {
    return Status::InvalidArgument("credentials", "access key id is empty");
  }
  if (params.region.empty()) return Status::InvalidArgument("region", "must not be empty");
  if (params.service.empty()) return Status::InvalidArgument("service", "must not be empty");
  if (params.payload == PayloadHashMode::kPrecomputed && params.payload_hash.empty()) {
    return Status::InvalidArgument("payload_hash", "required with PayloadHashMode::kPrecomputed");
  }
  return Status::OK();
}

std::string_view PayloadHash(const HttpRequest& request, const SigningParams& params,
                             EVP_MD_CTX* md, char buffer[64]) {
  switch (params.payload) {
    case PayloadHashMode::kHashBody:
      sigv4::Sha256Hex(md, request.body, buffer);
      return std::string_view(buffer, 64);
    case PayloadHashMode::kUnsignedPayload:
      return sigv4::kUnsignedPayload;
    case PayloadHashMode::kPrecomputed:
      break;
  }
  return params.payload_hash;
}

// What this call adds to the request besides Authorization.
struct AddedHeaders {
  std::string_view amz_date;
  std::string_view token;  // empty: none
  bool sign_token = false;
  std::string_view content_sha256;  // empty: not added
};

// Feeds the request's own headers to the canonical request, skipping those
// that must not be signed and those this call sets. True if the request
// already carries headers this call sets (a retry being signed again).
bool AddRequestHeaders(const HttpRequest& request, const uri::UrlParts& url, bool presign,
                       const AddedHeaders& added, Scratch& s) {
  std::size_t names_size = 0;
  for (const HttpHeader& h : request.headers) names_size += h.name.size();
  s.lower_names.resize(names_size);  // sized once, so views into it stay valid
  char* next_name = s.lower_names.data();
  bool has_host = false;
  bool resigning = false;
  for (const HttpHeader& h : request.headers) {
    std::string_view lower(next_name, h.name.size());
    for (char c : h.name) *next_name++ = LowerAscii(c);
    // Headers this call sets are signed with their new values, not old ones.
    bool ours = !presign && (lower == "x-amz-date" ||
                             (!added.token.empty() && lower == "x-amz-security-token") ||
                             (!added.content_sha256.empty() && lower == "x-amz-content-sha256"));
    resigning = resigning || ours || lower == "authorization";
    if (ours || sigv4::IsUnsignableHeader(lower)) continue;
    has_host = has_host || lower == "host";
    s.canonical.AddHeader(lower, h.value);
  }
  if (!has_host) {
    const std::string_view authority = uri::HostHeaderFor(url);
    s.host.resize(authority.size());
    char* host = s.host.data();  // a char store may alias s.host itself: load it once
    for (char c : authority) *host++ = LowerAscii(c);
    s.canonical.AddHeader("host", s.host);
  }
  if (!presign) {
    s.canonical.AddHeader("x-amz-date", added.amz_date);
    if (added.sign_token) s.canonical.AddHeader("x-amz-security-token", added.token);
    if (!added.content_sha256.empty()) {
      s.canonical.AddHeader("x-amz-content-sha256", added.content_sha256);
    }
  }
  return resigning;
}

// A fresh request gets the headers appended; a re-signed one (a retry) has
// them replaced in place.
void SetSigningHeaders(HttpRequest& request, bool resigning, const AddedHeaders& added,
                       std::string authorization) {
  request.headers.reserve(request.headers.size() + 4);
  auto set = [&](std::string_view name, std::string value) {
    if (resigning) {
      request.SetHeader(name, std::move(value));
    } else {
      request.headers.emplace_back(HttpHeader{std::string(name), std::move(value)});
    }
  };
  if (!added.token.empty()) set("X-Amz-Security-Token", std::string(added.token));
  set("X-Amz-Date", std::string(added.amz_date));
  if (!added.content_sha256.empty()) set("x-amz-content-sha256", std::string(added.content_sha256));
  set("Authorization", std::move(authorization));
}

}  // namespace

class DYNCREDS_NO_EXPORT SigV4Signer::Impl {
 public:
  explicit Impl(std::size_t max_cached) : max_cached_(max_cached) {}

  Status Sign(HttpRequest& request, const AwsCredentials& creds, const SigningParams& params,
              bool presign, SigningTrace* trace) const;

  CacheStats stats() const { return {hits_.load(), misses_.load()}; }

 private:
  struct CacheEntry {
    KeyScope scope;
    std::shared_ptr<const HmacKeySchedule> key;
    std::uint64_t last_used;
  };


  std::shared_ptr<const HmacKeySchedule> SigningKey(const AwsCredentials& creds,
                                                    std::string_view date,
                                                    const SigningParams& params) const;
  std::shared_ptr<const HmacKeySchedule> SharedCacheKey(const AwsCredentials& creds,
                                                        std::string_view date,
                                                        const SigningParams& params) const;

  const std::size_t max_cached_;
  mutable std::mutex mu_;
  mutable std::vector<CacheEntry> cache_;  // GUARDED_BY(mu_)
  mutable std::uint64_t tick_ = 0;         // GUARDED_BY(mu_)
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
};

std::shared_ptr<const HmacKeySchedule> SigV4Signer::Impl::SigningKey(
    const AwsCredentials& creds, std::string_view date, const SigningParams& params) const {
  if (max_cached_ == 0) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return DeriveKey(creds, date, params);
  }
  Scratch::LastKey& last = ThreadScratch().last_key;
  if (last.signer == this && last.scope.Matches(creds, date, params)) {
    if (std::shared_ptr<const HmacKeySchedule> key = last.key.lock()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return key;
    }
  }
  std::shared_ptr<const HmacKeySchedule> key = SharedCacheKey(creds, date, params);
  last.signer = this;
  last.scope = KeyScope(creds, date, params);
  last.key = key;
  return key;
}

std::shared_ptr<const HmacKeySchedule> SigV4Signer::Impl::SharedCacheKey(
    const AwsCredentials& creds, std::string_view date, const SigningParams& params) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (CacheEntry& e : cache_) {
      if (e.scope.Matches(creds, date, params)) {
        e.last_used = ++tick_;
        hits_.fetch_add(1, std::memory_order_relaxed);
        return e.key;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const HmacKeySchedule> key = DeriveKey(creds, date, params);  // outside the lock: slow
  std::lock_guard<std::mutex> lock(mu_);
  CacheEntry entry{KeyScope(creds, date, params), key, ++tick_};
  if (cache_.size() < max_cached_) {
    cache_.push_back(std::move(entry));
  } else {
    auto lru = std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
      return a.last_used < b.last_used;
    });
    *lru = std::move(entry);  // the evicted schedule is wiped when its last user drops it
  }
  return key;
}

Status SigV4Signer::Impl::Sign(HttpRequest& request, const AwsCredentials& creds,
                               const SigningParams& params, bool presign,
                               SigningTrace* trace) const {
  if (Status checked = CheckInputs(creds, params); !checked.ok()) return checked;
  uri::UrlParts url;
  if (!uri::SplitUrl(request.url, &url)) {
    return Status::InvalidArgument("url", "not an absolute URL: '" + request.url + "'");
  }
  Scratch& s = ThreadScratch();
  const std::string_view amz_date = s.AmzDate(params.time);
  const std::string_view date = amz_date.substr(0, 8);
  const std::string_view scope = s.Scope(date, params);
  char payload_hash_buf[64];
  const std::string_view payload_hash = PayloadHash(request, params, s.md, payload_hash_buf);

  AddedHeaders added;
  added.amz_date = amz_date;
  added.token = creds.session_token().view();
  added.sign_token = !added.token.empty() && !params.omit_session_token;
  if (!presign && params.add_content_sha256_header) added.content_sha256 = payload_hash;

  // Stage 1: canonical request.
  s.canonical.Reset(request.method, url.path, params.normalize_path, params.double_uri_encode);
  s.canonical.AddWireQuery(url.query);
  const bool resigning = AddRequestHeaders(request, url, presign, added, s);
  sigv4::PresignQuery presigned;
  std::string credential, expires;
  if (presign) {  // the signed-headers list goes into the query it signs
    credential.append(creds.access_key_id()).append("/").append(scope);
    expires = std::to_string(params.expires.count());
    presigned.credential = credential;
    presigned.amz_date = amz_date;
    presigned.signed_headers = s.canonical.SignedHeaders();
    presigned.expires = expires;
    presigned.security_token = added.token;
    presigned.sign_security_token = added.sign_token;
    sigv4::AddPresignParams(presigned, &s.canonical);
  }
  const std::string_view canonical = s.canonical.Build(payload_hash);

  // Stage 2: string to sign.
  char canonical_hash[64];
  sigv4::Sha256Hex(s.md, canonical, canonical_hash);
  sigv4::StringToSign(amz_date, scope, std::string_view(canonical_hash, 64), &s.string_to_sign);

  // Stage 3: signature.
  char signature[64];
  sigv4::Signature(*SigningKey(creds, date, params), s.string_to_sign, s.md, signature);
  const std::string_view signature_view(signature, 64);
  if (trace != nullptr) {
    trace->canonical_request.assign(canonical);
    trace->string_to_sign = s.string_to_sign;
    trace->signature.assign(signature_view);
  }

  // Stage 4: the signature into the query, or into headers.
  const std::string_view signed_headers = s.canonical.SignedHeaders();
  if (presign) {
    presigned.signature = signature_view;
    sigv4::AppendPresignQuery(presigned, &request.url);
    return Status::OK();
  }
  SetSigningHeaders(request, resigning, added,
                    sigv4::AuthorizationHeader(creds.access_key_id(), scope, signed_headers,
                                               signature_view));
  return Status::OK();
}

SigV4Signer::SigV4Signer(std::size_t max_cached_keys)
    : impl_(std::make_unique<Impl>(max_cached_keys)) {}
SigV4Signer::~SigV4Signer() = default;

Status SigV4Signer::SignHeaders(HttpRequest& request, const AwsCredentials& credentials,
                                const SigningParams& params, SigningTrace* trace) const {
  return impl_->Sign(request, credentials, params, /*presign=*/false, trace);
}

Status SigV4Signer::Presign(HttpRequest& request, const AwsCredentials& credentials,
                            const SigningParams& params, SigningTrace* trace) const {
  return impl_->Sign(request, credentials, params, /*presign=*/true, trace);
}

SigV4Signer::CacheStats SigV4Signer::cache_stats() const { return impl_->stats(); }

}  // namespace dyncreds
