// Metrics: the exact counters of a lifecycle and of failures, lease gauges,
// revocation lag, and the Prometheus text rendering of them.
#include <doctest/doctest.h>

#include <cstring>
#include <regex>
#include <sstream>

#include "dyncreds/engine.h"
#include "dyncreds/metrics.h"
#include "support/fake_clock.h"
#include "support/fake_iam_provider.h"
#include "dyncreds/sys/lease_store.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::FakeAwsError;
using dyncreds::testing::FakeClock;
using dyncreds::testing::FakeEngineOptions;
using dyncreds::testing::FakeIamProvider;

namespace {

struct Fixture {
  FakeClock clock;
  FakeIamProvider provider{&clock};
  std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
  std::unique_ptr<Engine> engine;

  Fixture() {
    EngineOptions o = FakeEngineOptions(&clock, &provider, store.get());
    o.revocation.max_attempts = 1;
    engine = Engine::Open(std::move(o)).value();
    REQUIRE(engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
    REQUIRE(engine->WriteRole("user", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
    REQUIRE(engine->WriteRole("fed", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  }
};

using Key = std::tuple<std::string, std::string, std::string>;

}  // namespace

TEST_CASE("metrics count each operation by type and outcome, and read lease figures from the store") {
  Fixture f;
  IssuedCredential a = f.engine->Issue("user").value();
  IssuedCredential b = f.engine->Issue("user").value();
  IssuedCredential fed = f.engine->Issue("fed").value();
  f.provider.FailNext("CreateUserWithKey", FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403));
  REQUIRE_FALSE(f.engine->Issue("user").ok());
  REQUIRE(f.engine->Renew(a.lease_id, 2h).ok());  // to its max: issue + 2 h
  REQUIRE(f.engine->Revoke(fed.lease_id).ok());

  // b expires first and its revocation fails (max_attempts 1: irrevocable);
  // a is revoked 120 s after it expired.
  f.clock.Advance(1h + 90s);
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400));
  REQUIRE(f.engine->Tick() == 1);
  REQUIRE(f.engine->Tick() == 0);
  f.clock.Advance(1h + 30s);
  REQUIRE(f.engine->Tick() == 1);
  // An issuance in flight (its intent committed, no lease yet).
  REQUIRE(f.store->PutIntent({"aws/creds/user/inflight", "aws", "user", CredentialType::kIamUser, "u", f.clock.Now(), {}, std::nullopt}).ok());

  MetricsSnapshot m = f.engine->Metrics().value();
  CHECK(m.mount == "aws");
  CHECK(m.operations == std::map<Key, std::uint64_t>{{{"issue", "iam_user", "success"}, 2},
                                                     {{"issue", "iam_user", "failure"}, 1},
                                                     {{"issue", "federation_token", "success"}, 1},
                                                     {{"renew", "iam_user", "success"}, 1},
                                                     {{"revoke", "federation_token", "success"}, 1},
                                                     {{"revoke", "iam_user", "failure"}, 1},
                                                     {{"revoke", "iam_user", "success"}, 1}});
  CHECK(m.latency.at({"issue", "iam_user"}).count == 3);
  CHECK(m.revocation_lag.count == 1);
  CHECK(m.revocation_lag.sum == doctest::Approx(120.0));
  CHECK(m.irrevocable_leases == 1);
  CHECK(m.active_leases == std::map<std::string, std::uint64_t>{{"fed", 0}, {"user", 0}});
  CHECK(m.pending_issuances == 1);
}

TEST_CASE("Prometheus text: HELP and TYPE per family, cumulative buckets, escaped labels") {
  MetricsSnapshot m;
  m.mount = "prod\"eu";
  m.operations[{"issue", "iam_user", "success"}] = 3;
  m.latency[{"issue", "iam_user"}].Observe(0.02);
  m.latency[{"issue", "iam_user"}].Observe(0.3);
  m.latency[{"issue", "iam_user"}].Observe(7200);
  m.aws_calls["iam:CreateUser"] = 3;
  m.aws_throttles["iam:CreateUser"] = 1;
  m.active_leases["deploy"] = 2;
  const std::string text = PrometheusText(m);

  CHECK(text.find("# TYPE dyncreds_operations_total counter\n") != std::string::npos);
  CHECK(text.find(R"(dyncreds_operations_total{mount="prod\"eu",operation="issue",credential_type="iam_user",outcome="success"} 3)") !=
        std::string::npos);
  CHECK(text.find(R"(dyncreds_operation_duration_seconds_bucket{mount="prod\"eu",operation="issue",credential_type="iam_user",le="0.025"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(le="0.5"} 2)") != std::string::npos);   // cumulative
  CHECK(text.find(R"(le="3600"} 2)") != std::string::npos);  // 7200 s is over every bound
  CHECK(text.find(R"(le="+Inf"} 3)") != std::string::npos);
  CHECK(text.find(R"(dyncreds_operation_duration_seconds_count{mount="prod\"eu",operation="issue",credential_type="iam_user"} 3)") !=
        std::string::npos);
  CHECK(text.find(R"(dyncreds_aws_throttles_total{mount="prod\"eu",action="iam:CreateUser"} 1)") != std::string::npos);
  CHECK(text.find(R"(dyncreds_leases{mount="prod\"eu",role="deploy",state="active"} 2)") != std::string::npos);

  // Every line is a comment or a well-formed sample, and every sample's family was announced.
  const std::regex sample(R"(^(dyncreds_[a-z_]+)\{mount="(\\.|[^"\\])*"(,[a-z_]+="(\\.|[^"\\])*")*\} -?[0-9.e+]+$)");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# ", 0) == 0) continue;
    std::smatch match;
    REQUIRE_MESSAGE(std::regex_match(line, match, sample), line);
    std::string family = match[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.size() > std::strlen(suffix) && family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0 &&
          text.find("# TYPE " + family + " ") == std::string::npos) {
        family.resize(family.size() - std::strlen(suffix));
      }
    }
    CHECK_MESSAGE(text.find("# TYPE " + family + " ") != std::string::npos, family);
  }
}
