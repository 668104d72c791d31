// No copy of an issued secret access key is left in this process's memory
// once the credential is dropped: not in our buffers, and not in libcurl's
// or OpenSSL's, over plain HTTP and over TLS (the "TLS:" case runs against
// the local_aws_tls fixture). The transport stays open, as an engine's does,
// so buffers kept for the next request are searched too. Under ASan freed
// memory is kept unreused (quarantine), so a copy freed unwiped is found.
// The C ABI's credential JSON, too, leaves nothing once dyncreds_free'd.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>

#include "dyncreds.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/curl_transport.h"
#include "dyncreds/aws_iam_provider.h"
#include "support/local_aws.h"
#include "support/memory_scan.h"

using namespace dyncreds;
using dyncreds::testing::LocalAws;

namespace {

void CheckNoCopyLeftAfterIssuing(const CurlTransportOptions& options) {
  LocalAws aws = LocalAws::FromEnvironment();
  aws.Reset();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport(options);
  AwsProviderConfig config;
  config.credentials = aws.SeedsRoot();
  config.iam_endpoint = aws.iam_url();
  config.sts_endpoint = aws.sts_url();
  config.transport = transport.get();
  std::unique_ptr<IamProvider> provider = NewAwsIamProvider(std::move(config)).value();

  std::string masked;
  std::size_t while_held = 0;
  {
    IamUserSpec spec;
    spec.user_name = "vault-memory-scan";
    Result<IssuedUserKey> issued = provider->CreateUserWithKey(spec);
    REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
    masked = testing::Mask(issued->credentials.secret_access_key().view());
    REQUIRE(masked.size() == 40);
    // The search finds what is there: the credential's own copy.
    while_held = testing::FindInProcessMemory(masked).copies;
  }
  const testing::MemoryScan after = testing::FindInProcessMemory(masked);
  MESSAGE("copies of the secret while held: " << while_held << "; after it was dropped: " << after.copies << " (in "
          << after.bytes_scanned / (1024 * 1024) << " MiB of resident memory)");
  CHECK(while_held >= 1);
  CHECK(after.copies == 0);
  CHECK(provider->DeleteUser("vault-memory-scan").ok());
}

// The masked value of `"key":"<value>"` in `json`, read in place.
std::string MaskedField(const char* json, const char* key) {
  const std::string quoted = std::string("\"") + key + "\":\"";
  const char* at = std::strstr(json, quoted.c_str());
  REQUIRE(at != nullptr);
  at += quoted.size();
  std::string masked;
  for (; *at != '\0' && *at != '"'; ++at) masked.push_back(static_cast<char>(*at ^ testing::kMask));
  return masked;
}

}  // namespace

TEST_CASE("an issued secret leaves no copy in this process's memory once dropped (plain HTTP)") {
  CheckNoCopyLeftAfterIssuing({});
}

TEST_CASE("TLS: an issued secret leaves no copy in this process's memory once dropped, OpenSSL's buffers included") {
  CurlTransportOptions options;
  options.ca_bundle = LocalAws::FromEnvironment().ca_bundle();
  CheckNoCopyLeftAfterIssuing(options);
}

TEST_CASE("the C ABI's credential JSON leaves no copy of the secret once dyncreds_free'd") {
  LocalAws aws = LocalAws::FromEnvironment();
  aws.Reset();
  const AwsCredentials root = aws.SeedsRoot();
  dyncreds_engine* opened = nullptr;
  dyncreds_error* err = nullptr;
  REQUIRE(dyncreds_engine_open(&opened, R"({"worker":false})", &err) == DYNCREDS_OK);
  std::unique_ptr<dyncreds_engine, decltype(&dyncreds_engine_free)> owned(opened, &dyncreds_engine_free);
  dyncreds_engine* engine = owned.get();
  const std::string config = R"({"access_key":")" + root.access_key_id() + R"(","secret_key":")" +
                             std::string(root.secret_access_key().view()) + R"(","iam_endpoint":")" + aws.iam_url() +
                             R"(","sts_endpoint":")" + aws.sts_url() + R"("})";
  REQUIRE(dyncreds_config_write(engine, "root", config.c_str(), &err) == DYNCREDS_OK);
  REQUIRE(dyncreds_role_write(engine, "deploy",
                              R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})",
                              &err) == DYNCREDS_OK);
  char* issued = nullptr;
  REQUIRE(dyncreds_creds_issue(&issued, engine, "deploy", nullptr, &err) == DYNCREDS_OK);
  const std::string masked = MaskedField(issued, "secret_key");
  REQUIRE(masked.size() == 40);
  std::string lease_id;
  for (char c : MaskedField(issued, "lease_id")) lease_id.push_back(static_cast<char>(c ^ testing::kMask));
  const std::size_t while_held = testing::FindInProcessMemory(masked).copies;
  dyncreds_free(issued);
  const std::size_t after = testing::FindInProcessMemory(masked).copies;
  MESSAGE("copies of the secret while the JSON was held: " << while_held << "; after dyncreds_free: " << after);
  CHECK(while_held >= 1);
  CHECK(after == 0);
  CHECK(dyncreds_lease_revoke(engine, lease_id.c_str(), &err) == DYNCREDS_OK);
}
