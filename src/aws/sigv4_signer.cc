// SigV4 signing. The structure follows the specification's stages
// (canonical request -> string to sign -> signature -> Authorization), but the
// stages write into per-thread scratch buffers instead of returning strings:
// signing sits on every AWS call, and allocation would dominate its cost.
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

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::size_t kSha256Block = 64;

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Headers that proxies and HTTP stacks add or rewrite; signing them would
// break the signature in transit: botocore's list (expect, user-agent,
// x-amzn-trace-id), the hop-by-hop headers of RFC 9110 7.6.1 (connection,
// keep-alive, te, transfer-encoding, upgrade, proxy-authorization), which
// botocore signs and aws-c-auth skips only in part, and authorization.
// The differential test against botocore (tests/unit/sigv4_botocore_diff)
// counts requests carrying them as a known, intended disagreement.
// `lower` is already lowercased; most names are rejected by length alone.
bool IsUnsignableHeader(std::string_view lower) {
  switch (lower.size()) {
    case 2: return lower == "te";
    case 7: return lower == "upgrade";
    case 6: return lower == "expect";
    case 10: return lower == "connection" || lower == "keep-alive" || lower == "user-agent";
    case 13: return lower == "authorization";
    case 15: return lower == "x-amzn-trace-id";
    case 17: return lower == "transfer-encoding";
    case 19: return lower == "proxy-authorization";
    default: return false;
  }
}

// A header as it enters the canonical request.
struct HeaderRef {
  std::string_view lower_name;  // points into Scratch::lower_names
  std::string_view value;
};

// An encoded query parameter: key and value live in Scratch::query_bytes.
struct QueryParam {
  std::uint32_t offset;
  std::uint32_t key_len;
  std::uint32_t value_len;
};

// HMAC-SHA256 with the key already absorbed: the SHA-256 states after the
// inner and outer pads. Computing an HMAC then costs two context copies and
// the message blocks, instead of also hashing both pads.
class HmacKeySchedule {
 public:
  explicit HmacKeySchedule(const crypto::Digest& key)
      : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()) {
    std::uint8_t ipad[kSha256Block], opad[kSha256Block];
    for (std::size_t i = 0; i < kSha256Block; ++i) {
      std::uint8_t k = i < key.size() ? key[i] : 0;
      ipad[i] = k ^ 0x36;
      opad[i] = k ^ 0x5c;
    }
    EVP_DigestInit_ex(inner_, crypto::Sha256(), nullptr);
    EVP_DigestUpdate(inner_, ipad, sizeof ipad);
    EVP_DigestInit_ex(outer_, crypto::Sha256(), nullptr);
    EVP_DigestUpdate(outer_, opad, sizeof opad);
    SecureWipe(ipad, sizeof ipad);
    SecureWipe(opad, sizeof opad);
  }
  // EVP_MD_CTX_free cleanses the digest state.
  ~HmacKeySchedule() {
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
  }
  HmacKeySchedule(const HmacKeySchedule&) = delete;
  HmacKeySchedule& operator=(const HmacKeySchedule&) = delete;

  // Thread-safe: the schedule is only read; `work` is the caller's context.
  void Compute(std::string_view message, EVP_MD_CTX* work, std::uint8_t out[32]) const {
    std::uint8_t inner_hash[32];
    unsigned int n = 0;
    EVP_MD_CTX_copy_ex(work, inner_);
    EVP_DigestUpdate(work, message.data(), message.size());
    EVP_DigestFinal_ex(work, inner_hash, &n);
    EVP_MD_CTX_copy_ex(work, outer_);
    EVP_DigestUpdate(work, inner_hash, sizeof inner_hash);
    EVP_DigestFinal_ex(work, out, &n);
  }

 private:
  EVP_MD_CTX* inner_;
  EVP_MD_CTX* outer_;
};

// Per-thread buffers: once grown, signing allocates only the headers it adds
// to the request.
struct Scratch {
  std::string canonical;
  std::string string_to_sign;
  std::string lower_names;
  std::string signed_headers;
  std::string query_bytes;
  std::string scope;
  std::string host;
  std::vector<HeaderRef> headers;
  std::vector<QueryParam> params;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  // The last formatted second, so X-Amz-Date is formatted once a second.
  std::int64_t date_second = INT64_MIN;
  char amz_date[16] = {};

  Scratch() {
    canonical.reserve(1024);
    string_to_sign.reserve(256);
    lower_names.reserve(256);
    signed_headers.reserve(128);
    query_bytes.reserve(256);
    scope.reserve(64);
    host.reserve(64);
    headers.reserve(16);
    params.reserve(16);
  }
  ~Scratch() { EVP_MD_CTX_free(md); }
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

void Sha256Hex(EVP_MD_CTX* md, std::string_view data, char out[64]) {
  std::uint8_t digest[32];
  unsigned int n = 0;
  EVP_DigestInit_ex(md, crypto::Sha256(), nullptr);
  EVP_DigestUpdate(md, data.data(), data.size());
  EVP_DigestFinal_ex(md, digest, &n);
  crypto::HexInto(digest, sizeof digest, out);
}

void AddQueryParam(Scratch& s, std::string_view key, std::string_view value) {
  QueryParam p;
  p.offset = static_cast<std::uint32_t>(s.query_bytes.size());
  uri::AppendReencoded(key, &s.query_bytes);
  p.key_len = static_cast<std::uint32_t>(s.query_bytes.size() - p.offset);
  uri::AppendReencoded(value, &s.query_bytes);
  p.value_len = static_cast<std::uint32_t>(s.query_bytes.size() - p.offset - p.key_len);
  s.params.push_back(p);
}

void AddWireQuery(Scratch& s, std::string_view query) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      AddQueryParam(s, part, {});
    } else {
      AddQueryParam(s, part.substr(0, eq), part.substr(eq + 1));
    }
  }
}

// Sorted by encoded key, then encoded value (byte order).
void AppendCanonicalQuery(Scratch& s) {
  const char* base = s.query_bytes.data();
  auto key = [base](const QueryParam& p) { return std::string_view(base + p.offset, p.key_len); };
  auto value = [base](const QueryParam& p) {
    return std::string_view(base + p.offset + p.key_len, p.value_len);
  };
  std::sort(s.params.begin(), s.params.end(), [&](const QueryParam& a, const QueryParam& b) {
    int c = key(a).compare(key(b));
    return c != 0 ? c < 0 : value(a) < value(b);
  });
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    if (i) s.canonical.push_back('&');
    s.canonical.append(key(s.params[i]));
    s.canonical.push_back('=');
    s.canonical.append(value(s.params[i]));
  }
}

// A cursor into memory reserved beforehand. The canonical request is
// assembled from dozens of short pieces; plain memcpy into a sized buffer
// costs a fraction of as many std::string::append calls.
class CharWriter {
 public:
  explicit CharWriter(char* at) : at_(at) {}
  void Put(std::string_view v) {
    std::memcpy(at_, v.data(), v.size());
    at_ += v.size();
  }
  void Put(char c) { *at_++ = c; }
  char* position() const { return at_; }

 private:
  char* at_;
};

// Writes a header value trimmed, with inner whitespace runs (including
// obs-fold line breaks) collapsed to one space. Never longer than `v`.
void PutCanonicalHeaderValue(std::string_view v, CharWriter& out) {
  std::size_t b = 0, e = v.size();
  while (b < e && IsSpace(v[b])) ++b;
  while (e > b && IsSpace(v[e - 1])) --e;
  v = v.substr(b, e - b);
  // Nearly every value is already canonical: one copy. (The scan has no
  // early exit so the compiler can vectorize it.)
  bool odd_space = false;
  for (char c : v) odd_space |= (c == '\t') | (c == '\r') | (c == '\n');
  if (!odd_space && v.find("  ") == std::string_view::npos) {
    out.Put(v);
    return;
  }
  bool in_space = false;
  for (char c : v) {
    if (IsSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.Put(' ');
    in_space = false;
    out.Put(c);
  }
}

// Stable sort by lowercase name; header counts are small, so insertion sort
// (no allocation) unless there are many.
void SortHeaders(std::vector<HeaderRef>& h) {
  if (h.size() > 32) {
    std::stable_sort(h.begin(), h.end(), [](const HeaderRef& a, const HeaderRef& b) {
      return a.lower_name < b.lower_name;
    });
    return;
  }
  for (std::size_t i = 1; i < h.size(); ++i) {
    HeaderRef x = h[i];
    std::size_t j = i;
    while (j > 0 && x.lower_name < h[j - 1].lower_name) {
      h[j] = h[j - 1];
      --j;
    }
    h[j] = x;
  }
}

// Appends canonical headers ("name:value\n", duplicates joined with ',') and
// fills the signed-headers list.
void AppendCanonicalHeaders(Scratch& s) {
  SortHeaders(s.headers);
  std::size_t bound = 0, names = 0;
  for (const HeaderRef& h : s.headers) {
    bound += h.lower_name.size() + h.value.size() + 2;
    names += h.lower_name.size() + 1;
  }
  const std::size_t start = s.canonical.size();
  s.canonical.resize(start + bound);
  s.signed_headers.resize(names);
  CharWriter out(&s.canonical[start]);
  CharWriter list(&s.signed_headers[0]);
  for (std::size_t i = 0; i < s.headers.size(); ++i) {
    const HeaderRef& h = s.headers[i];
    if (i > 0 && s.headers[i - 1].lower_name == h.lower_name) {
      out = CharWriter(out.position() - 1);  // over the previous value's '\n'
      out.Put(',');
    } else {
      out.Put(h.lower_name);
      out.Put(':');
      if (list.position() != &s.signed_headers[0]) list.Put(';');
      list.Put(h.lower_name);
    }
    PutCanonicalHeaderValue(h.value, out);
    out.Put('\n');
  }
  s.canonical.resize(static_cast<std::size_t>(out.position() - s.canonical.data()));
  s.signed_headers.resize(static_cast<std::size_t>(list.position() - s.signed_headers.data()));
}

}  // namespace

namespace sigv4 {

crypto::Digest DeriveSigningKey(const SecretString& secret, std::string_view yyyymmdd,
                                std::string_view region, std::string_view service) {
  std::string k_secret;
  k_secret.reserve(4 + secret.size());
  k_secret.append("AWS4").append(secret.view());
  crypto::Digest k = crypto::HmacSha256(k_secret, yyyymmdd);
  SecureWipe(&k_secret[0], k_secret.size());
  auto as_view = [](const crypto::Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  crypto::Digest next = crypto::HmacSha256(as_view(k), region);
  k = crypto::HmacSha256(as_view(next), service);
  next = crypto::HmacSha256(as_view(k), kTerminator);
  SecureWipe(k.data(), k.size());
  return next;
}

void AppendCanonicalPath(std::string_view path, bool normalize, bool double_encode,
                         std::string* out) {
  if (path.empty()) path = "/";
  if (path == "/") {
    out->push_back('/');
    return;
  }
  if (!normalize) {
    if (double_encode) {
      uri::AppendEncoded(path, /*keep_slash=*/true, out);
    } else {
      out->append(path);
    }
    return;
  }
  // RFC 3986 remove_dot_segments, plus: empty segments ('//') are dropped,
  // and, as botocore and aws-c-auth do, a trailing slash is kept only when
  // the path ends in one ("/a/." signs "/a").
  std::vector<std::string_view> kept;
  const bool trailing_slash = path.size() > 1 && path.back() == '/';
  std::size_t pos = 0;
  for (;;) {
    std::size_t slash = path.find('/', pos);
    bool last = slash == std::string_view::npos;
    std::string_view seg = path.substr(pos, last ? std::string_view::npos : slash - pos);
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (seg != "." && !seg.empty()) {
      kept.push_back(seg);
    }
    if (last) break;
    pos = slash + 1;
  }
  for (std::string_view seg : kept) {
    out->push_back('/');
    if (double_encode) {
      uri::AppendEncoded(seg, /*keep_slash=*/false, out);
    } else {
      out->append(seg);
    }
  }
  if (kept.empty() || trailing_slash) out->push_back('/');
}

}  // namespace sigv4

class SigV4Signer::Impl {
 public:
  explicit Impl(std::size_t max_cached) : max_cached_(max_cached) {}

  Status Sign(HttpRequest& request, const AwsCredentials& creds, const SigningParams& params,
              bool presign, SigningTrace* trace) const;

  CacheStats stats() const { return {hits_.load(), misses_.load()}; }

 private:
  struct CacheEntry {
    AwsCredentials::Fingerprint fingerprint;
    char date[8];
    std::string region;
    std::string service;
    std::shared_ptr<const HmacKeySchedule> key;
    std::uint64_t last_used;
  };

  std::shared_ptr<const HmacKeySchedule> SigningKey(const AwsCredentials& creds,
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
  auto derive = [&] {
    crypto::Digest k = sigv4::DeriveSigningKey(creds.secret_access_key(), date, params.region,
                                               params.service);
    auto schedule = std::make_shared<const HmacKeySchedule>(k);
    SecureWipe(k.data(), k.size());
    return schedule;
  };
  if (max_cached_ == 0) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return derive();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (CacheEntry& e : cache_) {
      if (e.fingerprint == creds.secret_fingerprint() && std::memcmp(e.date, date.data(), 8) == 0 &&
          e.region == params.region && e.service == params.service) {
        e.last_used = ++tick_;
        hits_.fetch_add(1, std::memory_order_relaxed);
        return e.key;
      }
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const HmacKeySchedule> key = derive();  // outside the lock: it is slow
  std::lock_guard<std::mutex> lock(mu_);
  CacheEntry entry{creds.secret_fingerprint(), {}, params.region, params.service, key, ++tick_};
  std::memcpy(entry.date, date.data(), 8);
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
  if (creds.access_key_id().empty()) {
    return Status::InvalidArgument("credentials", "access key id is empty");
  }
  if (params.region.empty()) return Status::InvalidArgument("region", "must not be empty");
  if (params.service.empty()) return Status::InvalidArgument("service", "must not be empty");
  uri::UrlParts url;
  if (!uri::SplitUrl(request.url, &url)) {
    return Status::InvalidArgument("url", "not an absolute URL: '" + request.url + "'");
  }
  Scratch& s = ThreadScratch();

  // X-Amz-Date, formatted once per second per thread.
  const std::int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(params.time.time_since_epoch()).count();
  if (second != s.date_second) {
    timefmt::FormatAmzDate(params.time, s.amz_date);
    s.date_second = second;
  }
  const std::string_view amz_date(s.amz_date, 16);
  const std::string_view date = amz_date.substr(0, 8);

  char payload_hash_buf[64];
  std::string_view payload_hash;
  switch (params.payload) {
    case PayloadHashMode::kHashBody:
      Sha256Hex(s.md, request.body, payload_hash_buf);
      payload_hash = std::string_view(payload_hash_buf, 64);
      break;
    case PayloadHashMode::kUnsignedPayload:
      payload_hash = kUnsignedPayload;
      break;
    case PayloadHashMode::kPrecomputed:
      if (params.payload_hash.empty()) {
        return Status::InvalidArgument("payload_hash", "required with PayloadHashMode::kPrecomputed");
      }
      payload_hash = params.payload_hash;
      break;
  }

  // "yyyymmdd/region/service/aws4_request", rebuilt only when it changes.
  const std::size_t scope_size = 8 + 1 + params.region.size() + 1 + params.service.size() + 1 +
                                 kTerminator.size();
  if (s.scope.size() != scope_size || s.scope.compare(0, 8, date) != 0 ||
      s.scope.compare(9, params.region.size(), params.region) != 0 ||
      s.scope.compare(10 + params.region.size(), params.service.size(), params.service) != 0) {
    s.scope.clear();
    s.scope.append(date).append("/").append(params.region).append("/").append(params.service);
    s.scope.append("/").append(kTerminator);
  }

  const std::string_view token = creds.session_token().view();
  const bool sign_token = !token.empty() && !params.omit_session_token;
  const bool add_sha_header = !presign && params.add_content_sha256_header;

  // The headers that enter the canonical request. Names are lowercased into
  // one buffer reserved up front, so the views into it stay valid.
  std::size_t names_size = 0;
  for (const HttpHeader& h : request.headers) names_size += h.name.size();
  s.lower_names.clear();
  s.lower_names.reserve(names_size);
  s.headers.clear();
  bool has_host = false;
  bool resigning = false;  // the request already has headers this call sets
  for (const HttpHeader& h : request.headers) {
    const std::size_t at = s.lower_names.size();
    s.lower_names.resize(at + h.name.size());
    char* p = &s.lower_names[at];
    for (char c : h.name) *p++ = LowerAscii(c);
    std::string_view lower(s.lower_names.data() + at, h.name.size());
    // Headers this call sets are signed with their new values, not old ones.
    bool ours = !presign && (lower == "x-amz-date" ||
                             (!token.empty() && lower == "x-amz-security-token") ||
                             (add_sha_header && lower == "x-amz-content-sha256"));
    resigning = resigning || ours || lower == "authorization";
    if (ours || IsUnsignableHeader(lower)) continue;
    has_host = has_host || lower == "host";
    s.headers.push_back({lower, h.value});
  }
  if (!has_host) {
    const std::string_view authority = uri::HostHeaderFor(url);
    s.host.resize(authority.size());
    for (std::size_t i = 0; i < authority.size(); ++i) s.host[i] = LowerAscii(authority[i]);
    s.headers.push_back({"host", s.host});
  }
  if (!presign) {
    s.headers.push_back({"x-amz-date", amz_date});
    if (sign_token) s.headers.push_back({"x-amz-security-token", token});
    if (add_sha_header) s.headers.push_back({"x-amz-content-sha256", payload_hash});
  }

  // Canonical request: method, URI, query, headers, signed headers, payload.
  s.canonical.clear();
  s.canonical.append(request.method).push_back('\n');
  sigv4::AppendCanonicalPath(url.path, params.normalize_path, params.double_uri_encode,
                             &s.canonical);
  s.canonical.push_back('\n');
  s.query_bytes.clear();
  s.params.clear();
  AddWireQuery(s, url.query);
  // Presigning needs the signed-headers list inside the query, before the
  // headers are written into the canonical request; build it separately.
  std::string credential;
  std::string expires;
  if (presign) {
    SortHeaders(s.headers);
    std::string signed_list;
    for (std::size_t i = 0; i < s.headers.size(); ++i) {
      if (i > 0 && s.headers[i - 1].lower_name == s.headers[i].lower_name) continue;
      if (!signed_list.empty()) signed_list.push_back(';');
      signed_list.append(s.headers[i].lower_name);
    }
    credential = creds.access_key_id() + "/" + s.scope;
    expires = std::to_string(params.expires.count());
    AddQueryParam(s, "X-Amz-Algorithm", kAlgorithm);
    AddQueryParam(s, "X-Amz-Credential", credential);
    AddQueryParam(s, "X-Amz-Date", amz_date);
    AddQueryParam(s, "X-Amz-Expires", expires);
    AddQueryParam(s, "X-Amz-SignedHeaders", signed_list);
    if (sign_token) AddQueryParam(s, "X-Amz-Security-Token", token);
  }
  AppendCanonicalQuery(s);
  s.canonical.push_back('\n');
  AppendCanonicalHeaders(s);
  s.canonical.push_back('\n');
  s.canonical.append(s.signed_headers).push_back('\n');
  s.canonical.append(payload_hash);

  // String to sign.
  char canonical_hash[64];
  Sha256Hex(s.md, s.canonical, canonical_hash);
  s.string_to_sign.clear();
  s.string_to_sign.append(kAlgorithm).push_back('\n');
  s.string_to_sign.append(amz_date).push_back('\n');
  s.string_to_sign.append(s.scope).push_back('\n');
  s.string_to_sign.append(canonical_hash, 64);

  // Signature.
  std::shared_ptr<const HmacKeySchedule> key = SigningKey(creds, date, params);
  std::uint8_t mac[32];
  key->Compute(s.string_to_sign, s.md, mac);
  char signature[64];
  crypto::HexInto(mac, sizeof mac, signature);
  const std::string_view signature_view(signature, 64);

  if (trace != nullptr) {
    trace->canonical_request = s.canonical;
    trace->string_to_sign = s.string_to_sign;
    trace->signature.assign(signature_view);
  }

  if (presign) {
    std::string& u = request.url;
    u.push_back(url.query.empty() && u.find('?') == std::string::npos ? '?' : '&');
    u.append("X-Amz-Algorithm=").append(kAlgorithm);
    u.append("&X-Amz-Credential=");
    uri::AppendEncoded(credential, false, &u);
    u.append("&X-Amz-Date=").append(amz_date);
    u.append("&X-Amz-SignedHeaders=");
    uri::AppendEncoded(s.signed_headers, false, &u);
    u.append("&X-Amz-Expires=").append(expires);
    if (!token.empty()) {
      u.append("&X-Amz-Security-Token=");
      uri::AppendEncoded(token, false, &u);
    }
    u.append("&X-Amz-Signature=").append(signature_view);
    return Status::OK();
  }

  // A fresh request gets the headers appended; a re-signed one (a retry) has
  // them replaced in place.
  request.headers.reserve(request.headers.size() + 4);
  auto set = [&](std::string_view name, std::string value) {
    if (resigning) {
      request.SetHeader(name, std::move(value));
    } else {
      request.headers.push_back({std::string(name), std::move(value)});
    }
  };
  if (!token.empty()) set("X-Amz-Security-Token", std::string(token));
  set("X-Amz-Date", std::string(amz_date));
  if (add_sha_header) set("x-amz-content-sha256", std::string(payload_hash));
  std::string authorization;
  authorization.reserve(kAlgorithm.size() + creds.access_key_id().size() + s.scope.size() +
                        s.signed_headers.size() + 64 + 48);
  authorization.append(kAlgorithm).append(" Credential=").append(creds.access_key_id());
  authorization.push_back('/');
  authorization.append(s.scope).append(", SignedHeaders=").append(s.signed_headers);
  authorization.append(", Signature=").append(signature_view);
  set("Authorization", std::move(authorization));
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
