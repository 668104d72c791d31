// sigv4_internal.h: the stages of a SigV4 signature, each callable and
// tested on its own (tests/unit/sigv4_stages_test.cc), in the order the
// specification gives them and as aws-c-auth names them:
//
//   1. CanonicalRequest   method, path, query, headers, payload hash -> text
//   2. StringToSign       algorithm, date, scope, SHA-256 of stage 1
//   3. Signature          HMAC-SHA256 of stage 2 with the derived key
//   4. AppendPresignQuery (pre-signed URLs) or the Authorization header
//
// SigV4Signer (sigv4_signer.cc) strings them together. The stages write into
// buffers the caller keeps from one request to the next: signing sits on
// every AWS call, and allocation would dominate its cost.
#ifndef DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_
#define DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/secret.h"
#include "util/crypto.h"

namespace dyncreds::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// kSigning = HMAC chain over "AWS4"+secret, date (yyyymmdd), region, service,
// "aws4_request". The result is a secret too: wipe it after use.
crypto::Digest DeriveSigningKey(const SecretString& secret, std::string_view yyyymmdd,
                                std::string_view region, std::string_view service);

// Appends the canonical URI of a wire path: normalized (remove_dot_segments,
// '//' collapsed) if `normalize`, each segment percent-encoded again if
// `double_encode` (every service but S3).
void AppendCanonicalPath(std::string_view path, bool normalize, bool double_encode,
                         std::string* out);

// Headers that proxies and HTTP stacks add or rewrite, so they are never
// signed. `lower_name` is lowercase.
bool IsUnsignableHeader(std::string_view lower_name);

// Stage 1. Collects a request's parts, then writes the canonical request in
// one pass into a buffer sized beforehand. Reset() starts the next request
// and keeps every buffer's capacity. Not thread-safe: one per thread.
class CanonicalRequest {
 public:
  CanonicalRequest();

  // `method` must stay valid until Build() returns.
  void Reset(std::string_view method, std::string_view path, bool normalize_path,
             bool double_encode_path);
  // The query as it appears on the wire ("a=1&b=%20"); each key and value is
  // re-encoded canonically, whether or not it arrived encoded.
  void AddWireQuery(std::string_view query);
  // One parameter, unencoded or encoded (pre-signing adds its own this way).
  void AddQueryParam(std::string_view key, std::string_view value);
  // A header to sign. `lower_name` must already be lowercase; both views must
  // stay valid until Build() returns. Duplicates are joined with ','.
  void AddHeader(std::string_view lower_name, std::string_view value);

  // "host;x-amz-date": sorted, each name once. Valid until the next Reset().
  std::string_view SignedHeaders();
  // Writes the canonical request ending in `payload_hash` (hex, or
  // UNSIGNED-PAYLOAD). Valid until the next Reset().
  std::string_view Build(std::string_view payload_hash);

 private:
  struct Header {
    std::string_view lower_name;
    std::string_view value;
  };
  struct QueryParam {  // key and value, encoded, live in query_bytes_
    std::uint32_t offset;
    std::uint32_t key_len;
    std::uint32_t value_len;
  };
  void SortHeaders();
  void SortQuery();

  std::string_view method_;  // the request's own, which outlives Build()
  std::string path_;         // canonical already
  std::string query_bytes_;
  std::vector<QueryParam> params_;
  std::vector<Header> headers_;
  bool headers_sorted_ = false;
  std::string signed_headers_;
  std::string text_;
};

// Stage 2. "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex SHA-256 of the
// canonical request>", written over `out`.
std::string_view StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request_sha256_hex, std::string* out);

// HMAC-SHA256 with the key already absorbed: the SHA-256 states after the
// inner and outer pads. An HMAC then costs two context copies and the
// message blocks, instead of also hashing both pads. Immutable once built, so
// one schedule may serve many threads. Its memory is cleansed when freed.
class HmacKeySchedule {
 public:
  explicit HmacKeySchedule(const crypto::Digest& key);
  ~HmacKeySchedule();
  HmacKeySchedule(const HmacKeySchedule&) = delete;
  HmacKeySchedule& operator=(const HmacKeySchedule&) = delete;

  // `work` is the caller's own context, reused across calls.
  void Compute(std::string_view message, EVP_MD_CTX* work, std::uint8_t out[32]) const;

 private:
  EVP_MD_CTX* inner_;
  EVP_MD_CTX* outer_;
};

// Stage 3. The signature: lowercase hex of HMAC(signing key, string to sign).
void Signature(const HmacKeySchedule& signing_key, std::string_view string_to_sign,
               EVP_MD_CTX* work, char out[64]);

// Stage 4, pre-signed URLs: what the query string carries in place of the
// Authorization header.
struct PresignQuery {
  std::string_view credential;  // "<access key id>/<scope>"
  std::string_view amz_date;
  std::string_view signed_headers;
  std::string_view expires;         // seconds, decimal
  std::string_view security_token;  // empty: none
  bool sign_security_token = true;  // false: added to the URL but not signed
  std::string_view signature;       // empty while the canonical request is built
};
// The parameters that enter the canonical request (all but the signature).
void AddPresignParams(const PresignQuery& q, CanonicalRequest* canonical);
// Appends them, and the signature, to `url` ('?' or '&' as needed).
void AppendPresignQuery(const PresignQuery& q, std::string* url);

// The Authorization header's value.
std::string AuthorizationHeader(std::string_view access_key_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature);

// SHA-256 of `data` as lowercase hex, with the caller's context.
void Sha256Hex(EVP_MD_CTX* work, std::string_view data, char out[64]);

}  // namespace dyncreds::sigv4

#endif  // DYNCREDS_SRC_AWS_SIGV4_INTERNAL_H_
