// CurlTransport's TLS verification against the local endpoint serving HTTPS
// with its own self-signed certificate (the `local_aws_tls` fixture): the
// certificate is trusted only when given as the CA bundle, by option or by
// AWS_CA_BUNDLE. Test names start with "TLS:" so CTest can run them against
// that fixture alone.
#include <doctest/doctest.h>

#include <cstdlib>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "support/local_aws.h"
#include "dyncreds/curl_transport.h"

using namespace dyncreds;
using namespace dyncreds::aws;
using dyncreds::testing::LocalAws;

namespace {

Status CallerIdentityOver(HttpTransport* transport) {
  LocalAws aws = LocalAws::FromEnvironment();
  RetryPolicy once;
  once.max_attempts = 1;
  auto sts = aws.NewClient("sts", transport, once);
  Result<QueryReply> reply = sts->Call(QueryRequest("GetCallerIdentity", kStsApiVersion),
                                       aws.AdminCredentials());
  if (!reply.ok()) return reply.status();
  Result<CallerIdentity> who = ParseCallerIdentity(*reply);
  return who.ok() ? Status() : who.status();
}

}  // namespace

TEST_CASE("TLS: the endpoint's certificate is trusted when given as the CA bundle") {
  LocalAws aws = LocalAws::FromEnvironment();
  REQUIRE(aws.url().rfind("https://", 0) == 0);
  REQUIRE_FALSE(aws.ca_bundle().empty());
  CurlTransportOptions options;
  options.ca_bundle = aws.ca_bundle();
  auto transport = NewCurlTransport(options);
  Status status = CallerIdentityOver(transport.get());
  CHECK_MESSAGE(status.ok(), status.ToString());
}

TEST_CASE("TLS: an untrusted certificate is refused by default") {
  ::unsetenv("AWS_CA_BUNDLE");
  auto transport = NewCurlTransport();  // the system store does not know it
  Status status = CallerIdentityOver(transport.get());
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == ErrorCode::kTransport);
  CHECK(status.aws() == nullptr);
}

TEST_CASE("TLS: AWS_CA_BUNDLE names the trusted certificates") {
  LocalAws aws = LocalAws::FromEnvironment();
  ::setenv("AWS_CA_BUNDLE", aws.ca_bundle().c_str(), 1);
  auto transport = NewCurlTransport();
  ::unsetenv("AWS_CA_BUNDLE");
  Status status = CallerIdentityOver(transport.get());
  CHECK_MESSAGE(status.ok(), status.ToString());
}

TEST_CASE("TLS: verification can be turned off, for a local endpoint only") {
  ::unsetenv("AWS_CA_BUNDLE");
  CurlTransportOptions options;
  options.verify_tls = false;
  auto transport = NewCurlTransport(options);
  Status status = CallerIdentityOver(transport.get());
  CHECK_MESSAGE(status.ok(), status.ToString());
}
