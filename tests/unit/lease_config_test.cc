// config/lease as a document (core/lease_config): both fields, durations or seconds, lease within lease_max.
#include <doctest/doctest.h>

#include "core/lease_config.h"

using namespace dyncreds;
using namespace std::chrono_literals;

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
