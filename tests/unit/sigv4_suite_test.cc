// Runs every case of AWS's SigV4 test suites in ../shared against SigV4Signer:
// the canonical request, string to sign, signature and signed request must
// match the expected files byte for byte. The test walks the folders; no
// expected value is written here.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/sigv4_internal.h"
#include "dyncreds/sigv4_signer.h"
#include "support/sigv4_suite.h"
#include "support/test_data.h"
#include "util/time_format.h"

namespace fs = std::filesystem;
using dyncreds::AwsCredentials;
using dyncreds::HttpHeader;
using dyncreds::HttpRequest;
using dyncreds::SecretString;
using dyncreds::SigningParams;
using dyncreds::SigningTrace;
using dyncreds::SigV4Signer;
using dyncreds::testing::ReadFile;
using dyncreds::testing::SharedDir;
using namespace dyncreds::testing::sigv4_suite;

namespace {

std::string RenderRequest(const std::string& method, const std::string& target,
                          const std::vector<HttpHeader>& headers, const std::string& body,
                          const char* authorization_separator = ":") {
  std::string out = method + " " + target + " HTTP/1.1\n";
  for (const HttpHeader& h : headers) {
    out += h.name + (h.name == "Authorization" ? authorization_separator : ":") + h.value + "\n";
  }
  return out + "\n" + body;
}

// The query parameters of a request target, as a sorted multiset.
std::multiset<std::string> QueryParams(const std::string& target) {
  std::multiset<std::string> out;
  std::size_t q = target.find('?');
  if (q == std::string::npos) return out;
  std::string rest = target.substr(q + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    std::size_t amp = rest.find('&', pos);
    out.insert(rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

TEST_CASE("every case of the aws-c-auth SigV4 suite, header and query signing") {
  const fs::path root = SharedDir() / "sigv4-test-suite";
  REQUIRE_MESSAGE(fs::is_directory(root), (root.string() + " is missing"));
  std::vector<fs::path> dirs = CaseDirs(root, "context.json");
  REQUIRE(dirs.size() >= 38);
  SigV4Signer signer;
  for (const fs::path& dir : dirs) {
    const SuiteCase sc = LoadCase(dir);
    const SuiteRequest req = ParseSuiteRequest(ReadFile(dir / "request.txt"));
    CAPTURE(dir.filename().string());

    // Header signing.
    HttpRequest http = ToHttpRequest(req);
    SigningTrace trace;
    REQUIRE(signer.SignHeaders(http, sc.credentials, sc.params, &trace).ok());
    CHECK(trace.canonical_request == ReadFile(dir / "header-canonical-request.txt"));
    CHECK(trace.string_to_sign == ReadFile(dir / "header-string-to-sign.txt"));
    CHECK(trace.signature == ReadFile(dir / "header-signature.txt"));
    CHECK(RenderRequest(req.method, req.target, http.headers, http.body) ==
          ReadFile(dir / "header-signed-request.txt"));

    // Query (pre-signed URL) signing.
    HttpRequest presigned = ToHttpRequest(req);
    SigningTrace qtrace;
    REQUIRE(signer.Presign(presigned, sc.credentials, sc.params, &qtrace).ok());
    CHECK(qtrace.canonical_request == ReadFile(dir / "query-canonical-request.txt"));
    CHECK(qtrace.string_to_sign == ReadFile(dir / "query-string-to-sign.txt"));
    CHECK(qtrace.signature == ReadFile(dir / "query-signature.txt"));
    const SuiteRequest expected = ParseSuiteRequest(ReadFile(dir / "query-signed-request.txt"));
    const std::string target = presigned.url.substr(std::string("https://example.amazonaws.com").size());
    CHECK(PathOf(target) == PathOf(expected.target));
    CHECK(QueryParams(target) == QueryParams(expected.target));
    CHECK(RenderRequest(req.method, "-", presigned.headers, presigned.body) ==
          RenderRequest(expected.method, "-", expected.headers, expected.body));
  }
}

// The classic suite has no context.json; its parameters are fixed by its
// README (AKIDEXAMPLE, us-east-1, service "service", 20150830T123600Z).
TEST_CASE("every case of the classic SigV4 suite") {
  const fs::path root = SharedDir() / "sigv4-test-suite-classic";
  REQUIRE_MESSAGE(fs::is_directory(root), (root.string() + " is missing"));
  // Skipped, with the reason: the two suites disagree on obs-fold header
  // values. Classic joins the folded lines with ',', aws-c-auth (and RFC 7230,
  // which turns obs-fold into SP) with ' '; we follow aws-c-auth, whose
  // expectation the other suite's same-named case checks.
  const std::set<std::string> skipped = {"get-header-value-multiline"};
  std::vector<fs::path> dirs;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".req") dirs.push_back(e.path().parent_path());
  }
  std::sort(dirs.begin(), dirs.end());
  REQUIRE(dirs.size() >= 31);
  SigV4Signer signer;
  int ran = 0;
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    if (skipped.count(name)) continue;
    CAPTURE(name);
    const SuiteRequest req = ParseSuiteRequest(ReadFile(dir / (name + ".req")));
    const SuiteRequest signed_req = ParseSuiteRequest(ReadFile(dir / (name + ".sreq")));
    // The token, when the case has one, is in the signed request; it is
    // signed only if the unsigned request already carried it.
    std::string token;
    for (const HttpHeader& h : signed_req.headers) {
      if (h.name == "X-Amz-Security-Token") token = h.value;
    }
    bool token_in_request = false;
    for (const HttpHeader& h : req.headers) token_in_request |= h.name == "X-Amz-Security-Token";
    AwsCredentials creds("AKIDEXAMPLE", SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                         SecretString(token));
    SigningParams params;
    params.region = "us-east-1";
    params.service = "service";
    params.time = *dyncreds::timefmt::ParseIso8601("2015-08-30T12:36:00Z");
    params.omit_session_token = !token.empty() && !token_in_request;

    HttpRequest http = ToHttpRequest(req);
    SigningTrace trace;
    REQUIRE(signer.SignHeaders(http, creds, params, &trace).ok());
    CHECK(trace.canonical_request == ReadFile(dir / (name + ".creq")));
    CHECK(trace.string_to_sign == ReadFile(dir / (name + ".sts")));
    CHECK(*http.FindHeader("Authorization") == ReadFile(dir / (name + ".authz")));
    // .sreq writes "Authorization: " with a space, which the parser keeps in the value.
    CHECK(RenderRequest(req.method, req.target, http.headers, http.body, ": ") ==
          RenderRequest(signed_req.method, signed_req.target, signed_req.headers, signed_req.body));
    ++ran;
  }
  CHECK(ran == static_cast<int>(dirs.size() - skipped.size()));
}

TEST_CASE("the IAM ListUsers worked example: signing key, canonical request, signature") {
  const fs::path dir = SharedDir() / "aws-samples" / "signing" / "iam-ListUsers-GET";
  rapidjson::Document ctx;
  std::string json = ReadFile(dir / "context.json");
  ctx.Parse(json.c_str());
  REQUIRE(!ctx.HasParseError());
  const auto& c = ctx["credentials"];
  SecretString secret(c["secret_access_key"].GetString());
  auto key = dyncreds::sigv4::DeriveSigningKey(secret, "20150830", ctx["region"].GetString(),
                                               ctx["service"].GetString());
  CHECK(dyncreds::crypto::Hex(key) == ReadFile(dir / "signing-key.txt"));

  const SuiteRequest req = ParseSuiteRequest(ReadFile(dir / "request.txt"));
  HttpRequest http;
  http.method = req.method;
  http.url = "https://iam.amazonaws.com" + req.target;
  http.headers = req.headers;
  SigningParams params;
  params.region = ctx["region"].GetString();
  params.service = ctx["service"].GetString();
  params.time = *dyncreds::timefmt::ParseIso8601(ctx["timestamp"].GetString());
  SigV4Signer signer;
  SigningTrace trace;
  REQUIRE(signer.SignHeaders(http, AwsCredentials(c["access_key_id"].GetString(), secret), params,
                             &trace)
              .ok());
  CHECK(trace.canonical_request == ReadFile(dir / "header-canonical-request.txt"));
  CHECK(dyncreds::crypto::Hex(dyncreds::crypto::Sha256Of(trace.canonical_request)) ==
        ReadFile(dir / "header-canonical-request-sha256.txt"));
  CHECK(trace.string_to_sign == ReadFile(dir / "header-string-to-sign.txt"));
  CHECK(trace.signature == ReadFile(dir / "header-signature.txt"));
  CHECK(*http.FindHeader("Authorization") == ReadFile(dir / "header-authorization.txt"));
}
