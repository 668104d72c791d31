// config/root and config/lease as documents (core/root_config.h,
// core/lease_config.h): merged field by field, refused by field name, and
// config/root written back without its secret.
#include <doctest/doctest.h>

#include "core/lease_config.h"
#include "core/root_config.h"

using namespace dyncreds;
using namespace std::chrono_literals;

TEST_CASE("config/root: a write merges onto what is there; secret_key is kept apart and never written back") {
  core::RootConfig root;
  root.region = "us-east-1";
  REQUIRE(core::MergeRootJson(R"({"access_key":"AKIAEXAMPLE","secret_key":"s3cr\u0065t","max_retries":4})", &root).ok());
  CHECK(root.region == "us-east-1");  // untouched
  CHECK(root.access_key == "AKIAEXAMPLE");
  CHECK(root.secret_key.view() == "s3cret");  // escapes decoded
  CHECK(root.max_retries == 4);
  const std::string json = core::RootJson(root);
  CHECK(json.find("AKIAEXAMPLE") != std::string::npos);
  CHECK(json.find("s3cret") == std::string::npos);
  CHECK(json.find("secret_key") == std::string::npos);
  // The written document reads back to the same configuration.
  core::RootConfig again;
  REQUIRE(core::MergeRootJson(json, &again).ok());
  CHECK(core::RootJson(again) == json);
}

TEST_CASE("config/root: bad input is refused by field, and changes nothing the caller keeps") {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : {Case{"[1]", "config/root"}, Case{"{", "config/root"}, Case{R"({"region":5})", "region"},
                        Case{R"({"secret_key":true})", "secret_key"}, Case{R"({"max_retries":-2})", "max_retries"},
                        Case{R"({"regoin":"us-east-1"})", "regoin"}}) {
    CAPTURE(c.json);
    core::RootConfig root;
    Status s = core::MergeRootJson(c.json, &root);
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    CHECK(s.field() == c.field);
  }
}

TEST_CASE("config/lease: both fields required, as durations or seconds, lease within lease_max") {
  Result<core::LeaseConfig> ok = core::ParseLeaseConfig(R"({"lease":"1h","lease_max":7200})");
  REQUIRE(ok.ok());
  CHECK(ok->lease == 1h);
  CHECK(ok->lease_max == 2h);
  CHECK(core::LeaseConfigJson(*ok) == R"({"lease":"1h0m0s","lease_max":"2h0m0s"})");
  CHECK(core::ParseLeaseConfig(core::LeaseConfigJson(*ok))->lease_max == 2h);
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : {Case{R"({"lease":"1h"})", "lease_max"}, Case{R"({"lease":"2h","lease_max":"1h"})", "lease"},
                        Case{R"({"lease":0,"lease_max":"1h"})", "lease"}, Case{R"({"lease":"1h","lease_max":"1h","x":1})", "x"},
                        Case{R"({"lease":true,"lease_max":"1h"})", "lease"}, Case{"7", "config/lease"}}) {
    CAPTURE(c.json);
    Result<core::LeaseConfig> bad = core::ParseLeaseConfig(c.json);
    CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
    CHECK(bad.status().field() == c.field);
  }
}
