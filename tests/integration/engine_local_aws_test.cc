// The engine end to end against the local IAM/STS endpoint, configured as a
// user would configure it against AWS (config/root with the endpoint URLs):
// the life of each credential type, keys that work until revoked, expiry by
// the worker, revoke-prefix over many leases, and faults at every step.
#include <doctest/doctest.h>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/engine.h"
#include "support/fake_clock.h"
#include "support/local_aws.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::LocalAws;

namespace {

struct Fixture {
  LocalAws aws = LocalAws::FromEnvironment();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  testing::FakeClock worker_clock{std::chrono::system_clock::now()};
  std::unique_ptr<Engine> engine;

  Fixture() {
    aws.Reset();
    EngineOptions o;
    o.transport = transport.get();
    o.clock = &worker_clock;  // leases expire when the test says; AWS calls are signed with real time
    o.revocation.background_worker = false;
    engine = Engine::Open(std::move(o)).value();
    const std::string secret(aws.AdminCredentials().secret_access_key().view());
    Status root = engine->WriteRootConfig(R"({"access_key":")" + aws.AdminCredentials().access_key_id() +
                                          R"(","secret_key":")" + secret + R"(","iam_endpoint":")" + aws.url() +
                                          R"(","sts_endpoint":")" + aws.url() + R"(","max_retries":2})");
    REQUIRE_MESSAGE(root.ok(), root.ToString());
  }

  bool Works(const AwsCredentials& credentials) {
    auto sts = aws.NewClient("sts", transport.get());
    return sts->Call(aws::QueryRequest("GetCallerIdentity", aws::kStsApiVersion), credentials).ok();
  }

  int UserCount() { return static_cast<int>(aws.State()["users"].Size()) - 1; }  // minus the admin
};

}  // namespace

TEST_CASE("iam_user end to end: a working key with its policies, revoked for real") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", R"({"credential_type":"iam_user",
      "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
      "policy_document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]},
      "iam_tags":{"team":"infra"},"default_ttl":"1h"})").ok());
  IssueOptions o;
  o.wait_until_usable = true;
  Result<IssuedCredential> c = f.engine->Issue("deploy", o);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(f.Works(c->credentials));
  rapidjson::Document state = f.aws.State();
  REQUIRE(state["users"].Size() == 2);
  const rapidjson::Value& user = std::string(state["users"][0]["name"].GetString()) == "admin" ? state["users"][1] : state["users"][0];
  CHECK(std::string(user["tags"]["dyncreds-lease"].GetString()) == c->lease_id);
  CHECK(user["inline_policies"].HasMember("deploy"));

  REQUIRE(f.engine->Revoke(c->lease_id).ok());
  CHECK_FALSE(f.Works(c->credentials));
  CHECK(f.UserCount() == 0);
}

TEST_CASE("the worker revokes an expired iam_user lease") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("short", R"({"credential_type":"iam_user","default_ttl":"10m"})").ok());
  IssuedCredential c = f.engine->Issue("short").value();
  CHECK(f.engine->Tick() == 0);
  f.worker_clock.Advance(10min);
  CHECK(f.engine->Tick() == 1);
  CHECK(f.UserCount() == 0);
  CHECK(f.engine->ListLeases()->empty());
  CHECK_FALSE(f.Works(c.credentials));
}

TEST_CASE("STS credential types end to end") {
  Fixture f;
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]})";
  auto iam = f.aws.NewClient("iam", f.transport.get());
  aws::QueryRequest create("CreateRole", aws::kIamApiVersion);
  create.Add("RoleName", "deploy").Add("AssumeRolePolicyDocument", trust);
  REQUIRE(iam->Call(create, f.aws.AdminCredentials()).ok());

  REQUIRE(f.engine->WriteRole("assumed", R"({"credential_type":"assumed_role","role_arns":"arn:aws:iam::)" +
                                             f.aws.account_id() + R"(:role/deploy","default_sts_ttl":"15m",
      "session_tags":{"lease":"yes"}})").ok());
  REQUIRE(f.engine->WriteRole("fed", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  REQUIRE(f.engine->WriteRole("session", R"({"credential_type":"session_token","default_sts_ttl":"900"})").ok());
  for (const char* role : {"assumed", "fed", "session"}) {
    CAPTURE(role);
    Result<IssuedCredential> c = f.engine->Issue(role);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    CHECK_FALSE(c->renewable);
    CHECK(c->credentials.session_token().size() > 0);
    CHECK(f.Works(c->credentials));
  }
  CHECK(f.engine->ListLeases()->size() == 3);
  CHECK(f.aws.State()["sessions"].Size() == 3);
}

TEST_CASE("revoke-prefix over many leases") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("many", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  for (int i = 0; i < 20; ++i) REQUIRE(f.engine->Issue("many").ok());
  CHECK(f.UserCount() == 20);
  CHECK(f.engine->RevokePrefix("aws/creds/many/").value() == 20);
  CHECK(f.UserCount() == 0);
}

TEST_CASE("faults at every step of issuance and revocation leave no user and lose no lease") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
      "policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}})").ok());
  for (const char* action : {"CreateUser", "AttachUserPolicy", "PutUserPolicy", "CreateAccessKey"}) {
    CAPTURE(action);
    f.aws.AddFault(std::string(R"({"action":")") + action + R"(","fault":"503"})");
    Result<IssuedCredential> c = f.engine->Issue("deploy");
    CHECK_FALSE(c.ok());
    f.aws.ClearFaults();
    CHECK(f.UserCount() == 0);
    CHECK(f.engine->ListLeases()->empty());
  }
  // Throttling on a step is retried and the issuance succeeds.
  f.aws.AddFault(R"({"action":"AttachUserPolicy","fault":"throttle","times":1})");
  IssuedCredential c = f.engine->Issue("deploy").value();
  for (const char* action : {"ListAccessKeys", "DeleteAccessKey", "DetachUserPolicy", "DeleteUserPolicy", "DeleteUser"}) {
    CAPTURE(action);
    f.aws.AddFault(std::string(R"({"action":")") + action + R"(","fault":"500"})");
    CHECK_FALSE(f.engine->Revoke(c.lease_id).ok());
    f.aws.ClearFaults();
    CHECK(f.engine->Lookup(c.lease_id).ok());  // the lease stays until the user is gone
  }
  REQUIRE(f.engine->Revoke(c.lease_id).ok());
  CHECK(f.UserCount() == 0);
}

TEST_CASE("metrics count AWS calls, retries and throttles by action") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  f.aws.AddFault(R"({"action":"AttachUserPolicy","fault":"throttle","times":1})");
  IssuedCredential c = f.engine->Issue("deploy").value();
  f.aws.ClearFaults();
  REQUIRE(f.engine->Revoke(c.lease_id).ok());
  MetricsSnapshot m = f.engine->Metrics().value();
  CHECK(m.aws_calls.at("iam:CreateUser") == 1);
  CHECK(m.aws_calls.at("iam:AttachUserPolicy") == 1);  // one call, retried inside
  CHECK(m.aws_retries.at("iam:AttachUserPolicy") == 1);
  CHECK(m.aws_throttles.at("iam:AttachUserPolicy") == 1);
  CHECK(m.aws_calls.at("iam:DeleteUser") == 1);
  // Revocation probes for things that block DeleteUser; "none there" comes
  // back as NoSuchEntity, an error reply like any other.
  for (const auto& [action, n] : m.aws_errors) {
    CAPTURE(action);
    CHECK(action == "iam:DeleteLoginProfile");
  }
  CHECK(m.operations.at({"issue", "iam_user", "success"}) == 1);
  CHECK(m.operations.at({"revoke", "iam_user", "success"}) == 1);
  const std::string text = PrometheusText(m);
  CHECK(text.find(R"(dyncreds_aws_throttles_total{mount="aws",action="iam:AttachUserPolicy"} 1)") != std::string::npos);
}
