// The stages of a SigV4 signature; see sigv4_internal.h for the picture.
#include <algorithm>
#include <cstring>
#include <vector>

#include "aws/sigv4_internal.h"
#include "util/uri.h"

namespace dyncreds::sigv4 {
namespace {

constexpr std::size_t kSha256Block = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A cursor into memory reserved beforehand. The canonical request is
// assembled from dozens of short pieces; memcpy into a sized buffer costs a
// fraction of as many std::string::append calls.
class CharWriter {
 public:
  explicit CharWriter(char* at) : at_(at) {}
  void Put(std::string_view v) {
    std::memcpy(at_, v.data(), v.size());
    at_ += v.size();
  }
  void Put(char c) { *at_++ = c; }
  void Back() { --at_; }
  char* position() const { return at_; }

 private:
  char* at_;
};

// Whether a trimmed value holds whitespace other than single spaces. One
// pass, and the common byte (above ' ') costs a single compare.
bool NeedsCollapsing(std::string_view v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c > ' ') continue;
    if (c != ' ' || (i + 1 < v.size() && v[i + 1] == ' ')) return true;
  }
  return false;
}

// Writes a header value trimmed, with inner whitespace runs (including
// obs-fold line breaks) collapsed to one space. Never longer than `v`.
void PutCanonicalHeaderValue(std::string_view v, CharWriter& out) {
  std::size_t b = 0, e = v.size();
  while (b < e && IsSpace(v[b])) ++b;
  while (e > b && IsSpace(v[e - 1])) --e;
  v = v.substr(b, e - b);
  if (!NeedsCollapsing(v)) {  // nearly every value: one copy
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

// Sizes `s` for `bound` bytes and returns a writer at its start; Trim()
// then cuts it to what was written.
CharWriter SizedWriter(std::string& s, std::size_t bound) {
  s.resize(bound);
  return CharWriter(s.data());
}
void Trim(std::string& s, const CharWriter& w) {
  s.resize(static_cast<std::size_t>(w.position() - s.data()));
}

}  // namespace

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

// botocore's list (expect, user-agent, x-amzn-trace-id), the hop-by-hop
// headers of RFC 9110 7.6.1 (connection, keep-alive, te, transfer-encoding,
// upgrade, proxy-authorization), which botocore signs and aws-c-auth skips
// only in part, and authorization. The differential test against botocore
// (tests/unit/sigv4_botocore_diff) counts requests carrying them as a known,
// intended disagreement. Most names are rejected by length alone.
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

// --- Stage 1: canonical request -------------------------------------------

CanonicalRequest::CanonicalRequest() {
  path_.reserve(64);
  query_bytes_.reserve(256);
  params_.reserve(16);
  headers_.reserve(16);
  signed_headers_.reserve(128);
  text_.reserve(1024);
}

void CanonicalRequest::Reset(std::string_view method, std::string_view path, bool normalize_path,
                             bool double_encode_path) {
  method_ = method;
  path_.clear();
  AppendCanonicalPath(path, normalize_path, double_encode_path, &path_);
  query_bytes_.clear();
  params_.clear();
  headers_.clear();
  headers_sorted_ = false;
  signed_headers_.clear();
}

void CanonicalRequest::AddQueryParam(std::string_view key, std::string_view value) {
  QueryParam p;
  p.offset = static_cast<std::uint32_t>(query_bytes_.size());
  uri::AppendReencoded(key, &query_bytes_);
  p.key_len = static_cast<std::uint32_t>(query_bytes_.size() - p.offset);
  uri::AppendReencoded(value, &query_bytes_);
  p.value_len = static_cast<std::uint32_t>(query_bytes_.size() - p.offset - p.key_len);
  params_.push_back(p);
}

void CanonicalRequest::AddWireQuery(std::string_view query) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      AddQueryParam(part, {});
    } else {
      AddQueryParam(part.substr(0, eq), part.substr(eq + 1));
    }
  }
}

void CanonicalRequest::AddHeader(std::string_view lower_name, std::string_view value) {
  headers_.push_back({lower_name, value});
  headers_sorted_ = false;
}

// Stable sort by lowercase name, so duplicates keep their order; header
// counts are small, so insertion sort (no allocation) unless there are many.
void CanonicalRequest::SortHeaders() {
  if (headers_sorted_) return;
  headers_sorted_ = true;
  if (headers_.size() > 32) {
    std::stable_sort(headers_.begin(), headers_.end(),
                     [](const Header& a, const Header& b) { return a.lower_name < b.lower_name; });
    return;
  }
  for (std::size_t i = 1; i < headers_.size(); ++i) {
    Header x = headers_[i];
    std::size_t j = i;
    while (j > 0 && x.lower_name < headers_[j - 1].lower_name) {
      headers_[j] = headers_[j - 1];
      --j;
    }
    headers_[j] = x;
  }
}

// By encoded key, then encoded value (byte order).
void CanonicalRequest::SortQuery() {
  const char* base = query_bytes_.data();
  std::sort(params_.begin(), params_.end(), [base](const QueryParam& a, const QueryParam& b) {
    std::string_view ka(base + a.offset, a.key_len), kb(base + b.offset, b.key_len);
    int c = ka.compare(kb);
    if (c != 0) return c < 0;
    return std::string_view(base + a.offset + a.key_len, a.value_len) <
           std::string_view(base + b.offset + b.key_len, b.value_len);
  });
}

std::string_view CanonicalRequest::SignedHeaders() {
  SortHeaders();
  if (!signed_headers_.empty() || headers_.empty()) return signed_headers_;
  std::size_t bound = 0;
  for (const Header& h : headers_) bound += h.lower_name.size() + 1;
  CharWriter list = SizedWriter(signed_headers_, bound);
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (i > 0 && headers_[i - 1].lower_name == headers_[i].lower_name) continue;
    if (i > 0) list.Put(';');
    list.Put(headers_[i].lower_name);
  }
  Trim(signed_headers_, list);
  return signed_headers_;
}

std::string_view CanonicalRequest::Build(std::string_view payload_hash) {
  const std::string_view signed_headers = SignedHeaders();
  if (params_.size() > 1) SortQuery();
  std::size_t bound = method_.size() + path_.size() + query_bytes_.size() + 2 * params_.size() +
                      signed_headers.size() + payload_hash.size() + 5;
  for (const Header& h : headers_) bound += h.lower_name.size() + h.value.size() + 2;

  CharWriter out = SizedWriter(text_, bound);
  out.Put(method_);
  out.Put('\n');
  out.Put(path_);
  out.Put('\n');
  const char* base = query_bytes_.data();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const QueryParam& p = params_[i];
    if (i) out.Put('&');
    out.Put(std::string_view(base + p.offset, p.key_len));
    out.Put('=');
    out.Put(std::string_view(base + p.offset + p.key_len, p.value_len));
  }
  out.Put('\n');
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    const Header& h = headers_[i];
    if (i > 0 && headers_[i - 1].lower_name == h.lower_name) {
      out.Back();  // over the previous value's '\n'
      out.Put(',');
    } else {
      out.Put(h.lower_name);
      out.Put(':');
    }
    PutCanonicalHeaderValue(h.value, out);
    out.Put('\n');
  }
  out.Put('\n');
  out.Put(signed_headers);
  out.Put('\n');
  out.Put(payload_hash);
  Trim(text_, out);
  return text_;
}

// --- Stage 2: string to sign ----------------------------------------------

std::string_view StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request_sha256_hex, std::string* out) {
  CharWriter w = SizedWriter(*out, kAlgorithm.size() + amz_date.size() + scope.size() +
                                       canonical_request_sha256_hex.size() + 3);
  w.Put(kAlgorithm);
  w.Put('\n');
  w.Put(amz_date);
  w.Put('\n');
  w.Put(scope);
  w.Put('\n');
  w.Put(canonical_request_sha256_hex);
  return *out;
}

// --- Stage 3: signature ---------------------------------------------------

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

HmacKeySchedule::HmacKeySchedule(const crypto::Digest& key)
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
HmacKeySchedule::~HmacKeySchedule() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

void HmacKeySchedule::Compute(std::string_view message, EVP_MD_CTX* work,
                              std::uint8_t out[32]) const {
  std::uint8_t inner_hash[32];
  unsigned int n = 0;
  EVP_MD_CTX_copy_ex(work, inner_);
  EVP_DigestUpdate(work, message.data(), message.size());
  EVP_DigestFinal_ex(work, inner_hash, &n);
  EVP_MD_CTX_copy_ex(work, outer_);
  EVP_DigestUpdate(work, inner_hash, sizeof inner_hash);
  EVP_DigestFinal_ex(work, out, &n);
}

void Signature(const HmacKeySchedule& signing_key, std::string_view string_to_sign,
               EVP_MD_CTX* work, char out[64]) {
  std::uint8_t mac[32];
  signing_key.Compute(string_to_sign, work, mac);
  crypto::HexInto(mac, sizeof mac, out);
}

void Sha256Hex(EVP_MD_CTX* work, std::string_view data, char out[64]) {
  std::uint8_t digest[32];
  unsigned int n = 0;
  EVP_DigestInit_ex(work, crypto::Sha256(), nullptr);
  EVP_DigestUpdate(work, data.data(), data.size());
  EVP_DigestFinal_ex(work, digest, &n);
  crypto::HexInto(digest, sizeof digest, out);
}

// --- Stage 4: where the signature goes --------------------------------------

void AddPresignParams(const PresignQuery& q, CanonicalRequest* canonical) {
  canonical->AddQueryParam("X-Amz-Algorithm", kAlgorithm);
  canonical->AddQueryParam("X-Amz-Credential", q.credential);
  canonical->AddQueryParam("X-Amz-Date", q.amz_date);
  canonical->AddQueryParam("X-Amz-Expires", q.expires);
  canonical->AddQueryParam("X-Amz-SignedHeaders", q.signed_headers);
  if (!q.security_token.empty() && q.sign_security_token) {
    canonical->AddQueryParam("X-Amz-Security-Token", q.security_token);
  }
}

void AppendPresignQuery(const PresignQuery& q, std::string* url) {
  std::string& u = *url;
  u.push_back(u.find('?') == std::string::npos ? '?' : '&');
  u.append("X-Amz-Algorithm=").append(kAlgorithm);
  u.append("&X-Amz-Credential=");
  uri::AppendEncoded(q.credential, false, &u);
  u.append("&X-Amz-Date=").append(q.amz_date);
  u.append("&X-Amz-SignedHeaders=");
  uri::AppendEncoded(q.signed_headers, false, &u);
  u.append("&X-Amz-Expires=").append(q.expires);
  if (!q.security_token.empty()) {
    u.append("&X-Amz-Security-Token=");
    uri::AppendEncoded(q.security_token, false, &u);
  }
  u.append("&X-Amz-Signature=").append(q.signature);
}

std::string AuthorizationHeader(std::string_view access_key_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature) {
  constexpr std::string_view kCredential = " Credential=";
  constexpr std::string_view kSignedHeaders = ", SignedHeaders=";
  constexpr std::string_view kSignature = ", Signature=";
  std::string value;
  CharWriter w = SizedWriter(value, kAlgorithm.size() + kCredential.size() + access_key_id.size() +
                                        1 + scope.size() + kSignedHeaders.size() +
                                        signed_headers.size() + kSignature.size() +
                                        signature.size());
  w.Put(kAlgorithm);
  w.Put(kCredential);
  w.Put(access_key_id);
  w.Put('/');
  w.Put(scope);
  w.Put(kSignedHeaders);
  w.Put(signed_headers);
  w.Put(kSignature);
  w.Put(signature);
  return value;
}

}  // namespace dyncreds::sigv4
