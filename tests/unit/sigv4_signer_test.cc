// SigV4Signer behaviour beyond the AWS suites: payload modes, the signing
// key cache, input errors, and concurrent use.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "dyncreds/sigv4_signer.h"
#include "util/crypto.h"
#include "util/time_format.h"

using namespace dyncreds;

namespace {

HttpRequest PostRequest() {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://iam.amazonaws.com/";
  r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
  r.body = "Action=GetUser&Version=2010-05-08";
  return r;
}

SigningParams Params() {
  SigningParams p;
  p.region = "us-east-1";
  p.service = "iam";
  p.time = *timefmt::ParseIso8601("2026-11-21T10:00:00Z");
  return p;
}

const AwsCredentials& Creds() {
  static const AwsCredentials creds("AKIDEXAMPLE", SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  return creds;
}

}  // namespace

TEST_CASE("payload hash modes: body, UNSIGNED-PAYLOAD, precomputed") {
  SigV4Signer signer;
  HttpRequest r = PostRequest();
  SigningTrace body_trace;
  REQUIRE(signer.SignHeaders(r, Creds(), Params(), &body_trace).ok());
  const std::string body_hash = crypto::Hex(crypto::Sha256Of(PostRequest().body));
  CHECK(body_trace.canonical_request.substr(body_trace.canonical_request.size() - 64) == body_hash);

  SigningParams unsigned_params = Params();
  unsigned_params.payload = PayloadHashMode::kUnsignedPayload;
  unsigned_params.add_content_sha256_header = true;
  HttpRequest u = PostRequest();
  SigningTrace unsigned_trace;
  REQUIRE(signer.SignHeaders(u, Creds(), unsigned_params, &unsigned_trace).ok());
  CHECK(unsigned_trace.canonical_request.find("\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n") !=
        std::string::npos);
  CHECK(*u.FindHeader("x-amz-content-sha256") == "UNSIGNED-PAYLOAD");

  SigningParams pre = Params();
  pre.payload = PayloadHashMode::kPrecomputed;
  pre.payload_hash = body_hash;
  HttpRequest p = PostRequest();
  SigningTrace pre_trace;
  REQUIRE(signer.SignHeaders(p, Creds(), pre, &pre_trace).ok());
  CHECK(pre_trace.signature == body_trace.signature);

  pre.payload_hash.clear();
  Status missing = signer.SignHeaders(p, Creds(), pre);
  CHECK(missing.code() == ErrorCode::kInvalidArgument);
  CHECK(missing.field() == "payload_hash");
}

TEST_CASE("signing keys are cached per secret, date, region and service") {
  SigV4Signer signer;
  HttpRequest r = PostRequest();
  REQUIRE(signer.SignHeaders(r, Creds(), Params()).ok());
  r = PostRequest();
  REQUIRE(signer.SignHeaders(r, Creds(), Params()).ok());
  CHECK(signer.cache_stats().misses == 1);
  CHECK(signer.cache_stats().hits == 1);

  // Another secret with the same key id must not reuse the cached key.
  AwsCredentials other("AKIDEXAMPLE", SecretString("another-secret"));
  HttpRequest a = PostRequest(), b = PostRequest();
  SigningTrace ta, tb;
  REQUIRE(signer.SignHeaders(a, Creds(), Params(), &ta).ok());
  REQUIRE(signer.SignHeaders(b, other, Params(), &tb).ok());
  CHECK(ta.signature != tb.signature);
  CHECK(signer.cache_stats().misses == 2);

  // A new day derives a new key; results match an uncached signer.
  SigningParams next_day = Params();
  next_day.time += std::chrono::hours(24);
  SigV4Signer uncached(0);
  HttpRequest c = PostRequest(), d = PostRequest();
  SigningTrace tc, td;
  REQUIRE(signer.SignHeaders(c, Creds(), next_day, &tc).ok());
  REQUIRE(uncached.SignHeaders(d, Creds(), next_day, &td).ok());
  CHECK(tc.signature == td.signature);
  CHECK(signer.cache_stats().misses == 3);
  CHECK(uncached.cache_stats().hits == 0);
}

TEST_CASE("a full cache evicts the least recently used key and stays correct") {
  SigV4Signer signer(2);
  SigV4Signer reference(0);
  for (const char* region : {"us-east-1", "eu-west-1", "ap-south-1", "us-east-1", "eu-west-1"}) {
    SigningParams p = Params();
    p.region = region;
    HttpRequest a = PostRequest(), b = PostRequest();
    SigningTrace ta, tb;
    REQUIRE(signer.SignHeaders(a, Creds(), p, &ta).ok());
    REQUIRE(reference.SignHeaders(b, Creds(), p, &tb).ok());
    CHECK(ta.signature == tb.signature);
  }
  CHECK(signer.cache_stats().misses == 5);  // capacity 2, three regions in rotation
}

TEST_CASE("bad input is refused with the field named") {
  SigV4Signer signer;
  HttpRequest r = PostRequest();
  SigningParams p = Params();
  p.region.clear();
  CHECK(signer.SignHeaders(r, Creds(), p).field() == "region");
  p = Params();
  p.service.clear();
  CHECK(signer.SignHeaders(r, Creds(), p).field() == "service");
  r.url = "not a url";
  Status bad_url = signer.SignHeaders(r, Creds(), Params());
  CHECK(bad_url.field() == "url");
  CHECK(signer.SignHeaders(r, AwsCredentials(), Params()).field() == "credentials");
}

TEST_CASE("re-signing a request replaces its auth headers in place") {
  SigV4Signer signer;
  HttpRequest r = PostRequest();
  REQUIRE(signer.SignHeaders(r, Creds(), Params()).ok());
  const std::size_t count = r.headers.size();
  SigningParams later = Params();
  later.time += std::chrono::minutes(5);
  REQUIRE(signer.SignHeaders(r, Creds(), later).ok());
  CHECK(r.headers.size() == count);
  CHECK(*r.FindHeader("X-Amz-Date") == "20261121T100500Z");
}

TEST_CASE("many threads signing at once get the single-threaded answer") {
  SigV4Signer signer;
  HttpRequest expected_req = PostRequest();
  SigningTrace expected;
  REQUIRE(SigV4Signer(0).SignHeaders(expected_req, Creds(), Params(), &expected).ok());
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      AwsCredentials own("AKID" + std::to_string(t), SecretString("secret-" + std::to_string(t % 3)));
      for (int i = 0; i < 300; ++i) {
        HttpRequest r = PostRequest();
        SigningTrace trace;
        if (!signer.SignHeaders(r, Creds(), Params(), &trace).ok() ||
            trace.signature != expected.signature) {
          ++mismatches;
        }
        HttpRequest o = PostRequest();
        if (!signer.SignHeaders(o, own, Params()).ok()) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches.load() == 0);
}
