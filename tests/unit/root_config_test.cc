// config/root as a document (core/root_config): merged field by field, refused by field name, written back without its secret.
#include <doctest/doctest.h>

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
