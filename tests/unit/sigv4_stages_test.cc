// Each stage of a SigV4 signature on its own (src/aws/sigv4_internal.h),
// fed from the aws-c-auth suite's files: a stage gets the previous stage's
// expected output, not the signer's, so a fault shows in the stage that has
// it. The expected values are the suite's; none is written here.
#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "aws/sigv4_internal.h"
#include "support/sigv4_suite.h"
#include "support/test_data.h"
#include "util/time_format.h"
#include "util/uri.h"

namespace fs = std::filesystem;
using namespace dyncreds;
using namespace dyncreds::testing::sigv4_suite;
using dyncreds::testing::ReadFile;
using dyncreds::testing::SharedDir;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The suite's cases whose request already carries every header a header
// signature signs (X-Amz-Date among them), so stage 1 can be fed the
// request alone; the others are covered through the signer by
// sigv4_suite_test.
struct HeaderCase {
  SuiteCase c;
  SuiteRequest request;
};
std::vector<HeaderCase> SelfContainedCases() {
  std::vector<HeaderCase> out;
  for (const fs::path& dir : CaseDirs(SharedDir() / "sigv4-test-suite", "context.json")) {
    SuiteCase c = LoadCase(dir);
    if (!c.credentials.session_token().empty() || c.params.add_content_sha256_header) continue;
    SuiteRequest r = ParseSuiteRequest(ReadFile(dir / "request.txt"));
    out.push_back({std::move(c), std::move(r)});
  }
  return out;
}

std::string AmzDate(const SigningParams& p) {
  char buf[16];
  timefmt::FormatAmzDate(p.time, buf);
  return std::string(buf, 16);
}

std::string Scope(const SigningParams& p) {
  return AmzDate(p).substr(0, 8) + "/" + p.region + "/" + p.service + "/aws4_request";
}

std::string Sha256HexOf(std::string_view data) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  char hex[64];
  sigv4::Sha256Hex(md, data, hex);
  EVP_MD_CTX_free(md);
  return std::string(hex, 64);
}

// A canonical request's signed-headers list: its next-to-last line.
std::string SignedHeadersLine(const std::string& canonical) {
  const std::size_t last = canonical.rfind('\n');
  const std::size_t before = canonical.rfind('\n', last - 1);
  return canonical.substr(before + 1, last - before - 1);
}

// Stage 1 from a parsed request, adding X-Amz-Date as a header signature does.
std::string CanonicalFromRequest(const HeaderCase& hc, sigv4::CanonicalRequest& canonical,
                                 std::vector<std::string>& lower_names) {
  uri::UrlParts url;
  HttpRequest http = ToHttpRequest(hc.request);
  REQUIRE(uri::SplitUrl(http.url, &url));
  canonical.Reset(http.method, url.path, hc.c.params.normalize_path,
                  hc.c.params.double_uri_encode);
  canonical.AddWireQuery(url.query);
  lower_names.clear();
  lower_names.reserve(hc.request.headers.size());
  for (const HttpHeader& h : hc.request.headers) {
    lower_names.push_back(Lower(h.name));
    if (lower_names.back() == "x-amz-date") return {};  // the signer's job, not the request's
    canonical.AddHeader(lower_names.back(), h.value);
  }
  const std::string amz_date = AmzDate(hc.c.params);  // outlives Build below
  canonical.AddHeader("x-amz-date", amz_date);
  return std::string(canonical.Build(Sha256HexOf(hc.request.body)));
}

}  // namespace

TEST_CASE("stage 1, canonical request: built from each suite request alone") {
  sigv4::CanonicalRequest canonical;  // one builder, reused as the signer does
  std::vector<std::string> names;
  int checked = 0;
  for (const HeaderCase& hc : SelfContainedCases()) {
    CAPTURE(hc.c.dir.filename().string());
    std::string text = CanonicalFromRequest(hc, canonical, names);
    if (text.empty()) continue;
    CHECK(text == ReadFile(hc.c.dir / "header-canonical-request.txt"));
    ++checked;
  }
  CHECK(checked >= 20);  // the suite has ~30 such cases; a reader that found none must fail
}

TEST_CASE("stage 1: signed headers are sorted, listed once, and duplicates are joined") {
  sigv4::CanonicalRequest canonical;
  canonical.Reset("GET", "/", true, true);
  canonical.AddHeader("x-b", "2");
  canonical.AddHeader("host", "example.com");
  canonical.AddHeader("x-b", " 1 ");
  canonical.AddHeader("x-a", "a   b\t c");
  CHECK(canonical.SignedHeaders() == "host;x-a;x-b");
  CHECK(canonical.Build("UNSIGNED-PAYLOAD") ==
        "GET\n/\n\nhost:example.com\nx-a:a b c\nx-b:2,1\n\nhost;x-a;x-b\nUNSIGNED-PAYLOAD");
  // Reset forgets everything but the buffers.
  canonical.Reset("POST", "/a/./b/../c", true, true);
  canonical.AddWireQuery("b=2&a=%7e&a=1");
  canonical.AddHeader("host", "h");
  CHECK(canonical.Build("x") == "POST\n/a/c\na=1&a=~&b=2\nhost:h\n\nhost\nx");
}

TEST_CASE("stage 2, string to sign: from the suite's canonical request") {
  std::string out;
  for (const HeaderCase& hc : SelfContainedCases()) {
    CAPTURE(hc.c.dir.filename().string());
    const std::string canonical = ReadFile(hc.c.dir / "header-canonical-request.txt");
    sigv4::StringToSign(AmzDate(hc.c.params), Scope(hc.c.params), Sha256HexOf(canonical), &out);
    CHECK(out == ReadFile(hc.c.dir / "header-string-to-sign.txt"));
  }
}

TEST_CASE("stage 3, signature: from the suite's string to sign and the derived key") {
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  for (const HeaderCase& hc : SelfContainedCases()) {
    CAPTURE(hc.c.dir.filename().string());
    crypto::Digest key = sigv4::DeriveSigningKey(hc.c.credentials.secret_access_key(),
                                                 AmzDate(hc.c.params).substr(0, 8),
                                                 hc.c.params.region, hc.c.params.service);
    const sigv4::HmacKeySchedule schedule(key);
    char signature[64];
    sigv4::Signature(schedule, ReadFile(hc.c.dir / "header-string-to-sign.txt"), work, signature);
    CHECK(std::string(signature, 64) == ReadFile(hc.c.dir / "header-signature.txt"));
    // The same schedule signs again alike: it is only read.
    char again[64];
    sigv4::Signature(schedule, ReadFile(hc.c.dir / "header-string-to-sign.txt"), work, again);
    CHECK(std::string(again, 64) == std::string(signature, 64));
  }
  EVP_MD_CTX_free(work);
}

TEST_CASE("stage 4, Authorization header: as the suite's signed request carries it") {
  for (const HeaderCase& hc : SelfContainedCases()) {
    CAPTURE(hc.c.dir.filename().string());
    const SuiteRequest signed_request =
        ParseSuiteRequest(ReadFile(hc.c.dir / "header-signed-request.txt"));
    std::string expected;
    for (const HttpHeader& h : signed_request.headers) {
      if (h.name == "Authorization") expected = h.value;
    }
    REQUIRE(!expected.empty());
    const std::string canonical = ReadFile(hc.c.dir / "header-canonical-request.txt");
    CHECK(sigv4::AuthorizationHeader(hc.c.credentials.access_key_id(), Scope(hc.c.params),
                                     SignedHeadersLine(canonical),
                                     ReadFile(hc.c.dir / "header-signature.txt")) == expected);
  }
}

TEST_CASE("stage 4, pre-signed query: the suite's query-signed request, parameter for parameter") {
  for (const fs::path& dir : CaseDirs(SharedDir() / "sigv4-test-suite", "query-signature.txt")) {
    const SuiteCase c = LoadCase(dir);
    CAPTURE(dir.filename().string());
    const SuiteRequest request = ParseSuiteRequest(ReadFile(dir / "request.txt"));
    const SuiteRequest expected = ParseSuiteRequest(ReadFile(dir / "query-signed-request.txt"));
    const std::string signed_headers =
        SignedHeadersLine(ReadFile(dir / "query-canonical-request.txt"));
    const std::string credential = c.credentials.access_key_id() + "/" + Scope(c.params);
    const std::string expires = std::to_string(c.params.expires.count());
    const std::string amz_date = AmzDate(c.params);
    const std::string signature = ReadFile(dir / "query-signature.txt");

    sigv4::PresignQuery q;
    q.credential = credential;
    q.amz_date = amz_date;
    q.signed_headers = signed_headers;
    q.expires = expires;
    q.security_token = c.credentials.session_token().view();
    q.sign_security_token = !c.params.omit_session_token;
    q.signature = signature;
    std::string target = request.target;
    sigv4::AppendPresignQuery(q, &target);

    auto params = [](const std::string& t) {
      std::multiset<std::string> out;
      std::size_t at = t.find('?');
      while (at != std::string::npos) {
        std::size_t next = t.find('&', at + 1);
        out.insert(t.substr(at + 1, next == std::string::npos ? next : next - at - 1));
        at = next;
      }
      return out;
    };
    CHECK(target.substr(0, target.find('?')) == expected.target.substr(0, expected.target.find('?')));
    CHECK(params(target) == params(expected.target));
  }
}
