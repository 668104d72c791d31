// Endpoint resolution checked against botocore's data: every non-FIPS,
// non-dual-stack case of the IAM and STS endpoint rule tests, and every
// IAM/STS endpoint of every partition in endpoints.json.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <string>

#include "aws/endpoints.h"
#include "support/test_data.h"

using namespace dyncreds;
using namespace dyncreds::aws;
using dyncreds::testing::ReadFile;
using dyncreds::testing::SharedDir;

namespace {

void Load(const char* name, rapidjson::Document* d) {
  std::string text = ReadFile(SharedDir() / "aws-models" / name);
  d->Parse(text.c_str());
  REQUIRE(!d->HasParseError());
}

bool Flag(const rapidjson::Value& params, const char* name) {
  return params.HasMember(name) && params[name].GetBool();
}

void RunRuleTests(const char* file, bool is_iam, int min_cases) {
  rapidjson::Document doc;
  Load(file, &doc);
  int ran = 0, fips_or_dualstack = 0;
  const rapidjson::Value no_params(rapidjson::kObjectType);
  for (const auto& t : doc["testCases"].GetArray()) {
    const auto& params = t.HasMember("params") ? t["params"] : no_params;
    CAPTURE(t["documentation"].GetString());
    // libdyncreds does not pick FIPS or dual-stack endpoints by flag; users
    // who need them set iam_endpoint/sts_endpoint (or AWS_ENDPOINT_URL_*).
    if (Flag(params, "UseFIPS") || Flag(params, "UseDualStack")) {
      ++fips_or_dualstack;
      continue;
    }
    EndpointConfig config;
    config.use_environment = false;
    if (params.HasMember("Region")) config.region = params["Region"].GetString();
    if (params.HasMember("Endpoint")) config.endpoint_url = params["Endpoint"].GetString();
    config.sts_global = Flag(params, "UseGlobalEndpoint");
    Result<ServiceEndpoint> e = is_iam ? ResolveIamEndpoint(config) : ResolveStsEndpoint(config);
    const auto& expect = t["expect"];
    if (expect.HasMember("error")) {
      REQUIRE(!e.ok());
      CHECK(e.status().field() == "region");
    } else {
      REQUIRE_MESSAGE(e.ok(), e.status().ToString());
      const auto& endpoint = expect["endpoint"];
      CHECK(e->url == endpoint["url"].GetString());
      if (endpoint.HasMember("properties")) {
        const auto& scheme = endpoint["properties"]["authSchemes"][0];
        if (scheme.HasMember("signingRegion")) {
          CHECK(e->signing_region == scheme["signingRegion"].GetString());
        }
      } else if (!config.endpoint_url.empty()) {
        CHECK(e->signing_region == (config.region.empty() ? "us-east-1" : config.region));
      } else {
        CHECK(e->signing_region == config.region);
      }
    }
    ++ran;
  }
  CHECK(ran >= min_cases);
  MESSAGE(std::string(file) << ": " << ran << " cases checked, " << fips_or_dualstack
                << " FIPS/dual-stack cases not applicable");
}

}  // namespace

TEST_CASE("IAM endpoint rule tests") { RunRuleTests("iam-2010-05-08.endpoint-tests.json", true, 10); }
TEST_CASE("STS endpoint rule tests") { RunRuleTests("sts-2011-06-15.endpoint-tests.json", false, 50); }

TEST_CASE("every partition's IAM and STS endpoints in endpoints.json") {
  rapidjson::Document doc;
  Load("endpoints.json", &doc);
  int checked = 0;
  for (const auto& p : doc["partitions"].GetArray()) {
    const std::string partition = p["partition"].GetString();
    const std::string dns = p["dnsSuffix"].GetString();
    CAPTURE(partition);
    const auto& services = p["services"];
    REQUIRE(services.HasMember("sts"));
    for (auto it = services["sts"]["endpoints"].MemberBegin();
         it != services["sts"]["endpoints"].MemberEnd(); ++it) {
      const std::string region = it->name.GetString();
      if (region.find("fips") != std::string::npos || region == "aws-global") continue;
      CAPTURE(region);
      CHECK(PartitionOf(region) == partition);
      EndpointConfig config;
      config.use_environment = false;
      config.region = region;
      Result<ServiceEndpoint> sts = ResolveStsEndpoint(config);
      REQUIRE(sts.ok());
      std::string host = it->value.HasMember("hostname") ? it->value["hostname"].GetString()
                                                          : "sts." + region + "." + dns;
      CHECK(sts->url == "https://" + host);
      CHECK(sts->signing_region == region);
      // IAM: the partition's one endpoint and credential scope.
      Result<ServiceEndpoint> iam = ResolveIamEndpoint(config);
      REQUIRE(iam.ok());
      if (services.HasMember("iam")) {
        const auto& iam_eps = services["iam"]["endpoints"];
        const auto& global = iam_eps[services["iam"]["partitionEndpoint"].GetString()];
        CHECK(iam->url == std::string("https://") + global["hostname"].GetString());
        CHECK(iam->signing_region == global["credentialScope"]["region"].GetString());
      } else {
        CHECK(iam->url == "https://iam." + region + "." + dns);
      }
      ++checked;
    }
  }
  CHECK(checked > 40);
}

TEST_CASE("endpoint overrides: config, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL") {
  EndpointConfig config;
  config.region = "eu-west-1";
  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  CHECK(ResolveIamEndpoint(config)->url == "http://127.0.0.1:4566");
  CHECK(ResolveIamEndpoint(config)->signing_region == "eu-west-1");
  ::setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9000/", 1);
  CHECK(ResolveStsEndpoint(config)->url == "http://127.0.0.1:9000");
  CHECK(ResolveIamEndpoint(config)->url == "http://127.0.0.1:4566");
  config.endpoint_url = "https://iam.example.test";
  CHECK(ResolveIamEndpoint(config)->url == "https://iam.example.test");
  config.endpoint_url = "ftp://nope";
  Result<ServiceEndpoint> bad = ResolveIamEndpoint(config);
  REQUIRE(!bad.ok());
  CHECK(bad.status().field() == "iam_endpoint");
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_ENDPOINT_URL_STS");
  config.endpoint_url.clear();
  CHECK(ResolveIamEndpoint(config)->url == "https://iam.amazonaws.com");
}
