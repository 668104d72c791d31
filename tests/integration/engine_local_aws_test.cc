// The engine end to end against the local IAM/STS endpoint, configured as a
// user would configure it against AWS (config/root with the endpoint URLs):
// the life of each credential type, keys that work until revoked, expiry by
// the worker, revoke-prefix over many leases, and faults at every step.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/engine.h"
#include "dyncreds/curl_transport.h"
#include "support/fake_clock.h"
#include "support/local_aws.h"
#include "dyncreds/sys/lease_store.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::Eventually;
using dyncreds::testing::LocalAws;

namespace {

struct Fixture {
  LocalAws aws = LocalAws::FromEnvironment();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  testing::FakeClock worker_clock{std::chrono::system_clock::now()};
  std::unique_ptr<Engine> engine;

  // The engine's root user holds the seeds' policy plus `extra_statements`
  // (a JSON array): tests that need more say which and why.
  explicit Fixture(const std::string& extra_statements = "") {
    aws.Reset();
    EngineOptions o;
    o.transport = transport.get();
    worker_clock.SleepsForReal();  // waits for key propagation take real time
    o.clock = &worker_clock;  // leases expire when the test says; AWS calls are signed with real time
    o.revocation.background_worker = false;
    o.log = [this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu);
      log.emplace_back(line);
    };
    engine = Engine::Open(std::move(o)).value();
    Status root = engine->WriteRootConfig(RootJson(aws, aws.SeedsRoot(extra_statements)));
    REQUIRE_MESSAGE(root.ok(), root.ToString());
  }

  static std::string RootJson(LocalAws& endpoint, const AwsCredentials& key) {
    return R"({"access_key":")" + key.access_key_id() + R"(","secret_key":")" +
           std::string(key.secret_access_key().view()) + R"(","iam_endpoint":")" + endpoint.iam_url() +
           R"(","sts_endpoint":")" + endpoint.sts_url() + R"(","max_retries":2})";
  }

  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(log_mu);
    return log;
  }

  std::mutex log_mu;
  std::vector<std::string> log;

  bool Works(const AwsCredentials& credentials) {
    auto sts = aws.NewClient("sts", transport.get());
    return sts->Call(aws::QueryRequest("GetCallerIdentity", aws::kStsApiVersion), credentials).ok();
  }

  // The IAM users the engine made: all but the administrator and the root users (vault-root*).
  int UserCount() { return CountUsers(aws); }

  static int CountUsers(LocalAws& endpoint) {
    int n = 0;
    rapidjson::Document state = endpoint.State();
    for (const auto& user : state["users"].GetArray()) {
      const std::string name = user["name"].GetString();
      n += name != "admin" && name.rfind("vault-root", 0) != 0;
    }
    return n;
  }

  // The engine's users, as the endpoint's state dump describes them.
  std::vector<rapidjson::Value> Users(rapidjson::Document& state) {
    std::vector<rapidjson::Value> out;
    for (auto& user : state["users"].GetArray()) {
      const std::string name = user["name"].GetString();
      if (name != "admin" && name.rfind("vault-root", 0) != 0) out.emplace_back(user, state.GetAllocator());
    }
    return out;
  }
};

}  // namespace

// Tags on CreateUser need iam:TagUser (the README's "+ tags" policy).
const char kTagUser[] = R"([{"Effect":"Allow","Action":"iam:TagUser","Resource":"arn:aws:iam::*:user/vault-*"}])";

TEST_CASE("iam_user end to end: a working key with its policies, revoked for real") {
  Fixture f(kTagUser);
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
  std::vector<rapidjson::Value> users = f.Users(state);
  REQUIRE(users.size() == 1);
  const rapidjson::Value& user = users[0];
  CHECK(std::string(user["tags"]["dyncreds-lease"].GetString()) == c->lease_id);
  CHECK(std::string(user["tags"]["team"].GetString()) == "infra");
  CHECK(user["inline_policies"].HasMember("deploy"));

  REQUIRE(f.engine->Revoke(c->lease_id).ok());
  CHECK(Eventually([&] { return !f.Works(c->credentials); }));  // a deleted key dies within seconds
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
  CHECK(Eventually([&] { return !f.Works(c.credentials); }));
}

TEST_CASE("STS credential types end to end") {
  // assumed_role and federation_token need their STS actions (the README's
  // policies for them); session_token needs none.
  Fixture f(R"([{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/deploy"},
                {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::*:federated-user/*"}])");
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
    CHECK(f.Works(c->credentials));  // STS credentials work at once
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
  REQUIRE(f.engine->Issue("deploy").ok());
  REQUIRE(f.engine->RevokePrefix("aws/creds/deploy/", nullptr).ok());
  f.aws.ClearFaults();
  for (const char* action : {"ListAccessKeys", "DeleteAccessKey", "DetachUserPolicy", "DeleteUserPolicy", "DeleteUser"}) {
    CAPTURE(std::string(action));
    IssuedCredential c = f.engine->Issue("deploy").value();
    f.aws.AddFault(std::string(R"({"action":")") + action + R"(","fault":"500"})");
    Status failed = f.engine->Revoke(c.lease_id);
    CHECK_FALSE(failed.ok());
    CHECK(failed.message().find(action) != std::string::npos);  // the error names the failed call
    f.aws.ClearFaults();
    CHECK(f.engine->Lookup(c.lease_id).ok());  // the lease stays until the user is gone
    CHECK(f.UserCount() == 1);
    REQUIRE(f.engine->Revoke(c.lease_id).ok());
    CHECK(f.UserCount() == 0);
  }
}

TEST_CASE("metrics count AWS calls, retries and throttles by action") {
  Fixture f(kTagUser);  // tagged: one CreateUser (untagged issuance retries it without tags)
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
  // Revocation removes what issuance attached and deletes the user: no
  // probing for other blockers, so no error replies at all.
  CHECK(m.aws_errors.empty());
  CHECK(m.operations.at({"issue", "iam_user", "success"}) == 1);
  CHECK(m.operations.at({"revoke", "iam_user", "success"}) == 1);
  const std::string text = PrometheusText(m);
  CHECK(text.find(R"(dyncreds_aws_throttles_total{mount="aws",action="iam:AttachUserPolicy"} 1)") != std::string::npos);
}

TEST_CASE("the seeds' policy alone: users untagged (said once), revoke, revoke-prefix, expiry, nothing left") {
  Fixture f;  // exactly seeds 001/004's policy: no iam:TagUser
  REQUIRE(f.engine->WriteRole("ro", R"({"credential_type":"iam_user",
      "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess","default_ttl":"10m"})").ok());
  std::vector<IssuedCredential> issued;
  for (int i = 0; i < 5; ++i) {
    Result<IssuedCredential> c = f.engine->Issue("ro");
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    issued.push_back(std::move(*c));
  }
  rapidjson::Document state = f.aws.State();
  for (const rapidjson::Value& user : f.Users(state)) CHECK(user["tags"].ObjectEmpty());
  std::vector<std::string> log = f.Log();
  CHECK(std::count_if(log.begin(), log.end(), [](const std::string& l) {
          return l.find("may not iam:TagUser") != std::string::npos && l.find("tidy cannot find orphaned users") != std::string::npos;
        }) == 1);

  REQUIRE(f.engine->Revoke(issued[0].lease_id).ok());
  CHECK(f.UserCount() == 4);
  f.worker_clock.Advance(11min);  // the other four expire...
  REQUIRE(f.engine->RevokePrefix("aws/creds/ro/", nullptr).value() == 4);  // ...but a prefix revocation gets there first
  CHECK(f.UserCount() == 0);
  CHECK(f.engine->Tick() == 0);
  for (const IssuedCredential& c : issued) CHECK(Eventually([&] { return !f.Works(c.credentials); }));
}

TEST_CASE("revocation: blockers someone else added are named with the IAM action; optional APIs an endpoint lacks never stop it") {
  // A user issued under the seeds' policy, then given a login profile by an administrator.
  auto add_login_profile = [](Fixture& f, const std::string& user) {
    auto iam = f.aws.NewClient("iam", f.transport.get());
    aws::QueryRequest profile("CreateLoginProfile", aws::kIamApiVersion);
    profile.Add("UserName", user).Add("Password", "Corr3ct-Horse-Battery");
    REQUIRE(iam->Call(profile, f.aws.AdminCredentials()).ok());
  };
  SUBCASE("seeds' policy: DeleteConflict, and the error names iam:DeleteLoginProfile and the lists it may not call") {
    Fixture f;
    REQUIRE(f.engine->WriteRole("ro", R"({"credential_type":"iam_user"})").ok());
    IssuedCredential c = f.engine->Issue("ro").value();
    add_login_profile(f, c.user_name);
    Status s = f.engine->Revoke(c.lease_id);
    REQUIRE_FALSE(s.ok());
    CHECK(s.aws() != nullptr);
    CHECK(s.aws()->code == "DeleteConflict");
    for (const char* action : {"DeleteLoginProfile", "ListMFADevices", "ListSSHPublicKeys", "ListSigningCertificates",
                               "ListServiceSpecificCredentials"}) {
      CAPTURE(action);
      CHECK(s.message().find(std::string("the engine's IAM policy needs iam:") + action) != std::string::npos);
    }
    CHECK(f.engine->Lookup(c.lease_id).ok());  // kept until the user is gone
    CHECK(f.UserCount() == 1);
  }
  SUBCASE("with the tidy actions, the blocker is removed even when the endpoint lacks some of them") {
    Fixture f(R"([{"Effect":"Allow","Action":["iam:DeleteLoginProfile","iam:ListMFADevices","iam:DeactivateMFADevice",
        "iam:ListSSHPublicKeys","iam:DeleteSSHPublicKey","iam:ListSigningCertificates","iam:DeleteSigningCertificate",
        "iam:ListServiceSpecificCredentials","iam:DeleteServiceSpecificCredential"],"Resource":"arn:aws:iam::*:user/vault-*"}])");
    REQUIRE(f.engine->WriteRole("ro", R"({"credential_type":"iam_user"})").ok());
    IssuedCredential c = f.engine->Issue("ro").value();
    add_login_profile(f, c.user_name);
    f.aws.AddFault(R"({"action":"ListServiceSpecificCredentials","fault":"html500"})");
    f.aws.AddFault(R"({"action":"ListSigningCertificates","fault":"501"})");
    Status s = f.engine->Revoke(c.lease_id);
    CHECK_MESSAGE(s.ok(), s.ToString());
    CHECK(f.UserCount() == 0);
  }
  SUBCASE("a user with nothing extra never meets the optional calls") {
    Fixture f;
    for (const char* action : {"ListMFADevices", "ListSSHPublicKeys", "ListSigningCertificates",
                               "ListServiceSpecificCredentials", "DeleteLoginProfile"}) {
      f.aws.AddFault(std::string(R"({"action":")") + action + R"(","fault":"html500"})");
    }
    REQUIRE(f.engine->WriteRole("ro", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
    IssuedCredential c = f.engine->Issue("ro").value();
    REQUIRE(f.engine->Revoke(c.lease_id).ok());
    CHECK(f.UserCount() == 0);
    CHECK(f.aws.CountCalls("ListMFADevices") == 0);
  }
}

TEST_CASE("two mounts on one store, two accounts: each lease revoked with its own mount's keys") {
  Fixture east;  // its endpoint and clock; the test's engines have their own root users
  LocalAws west_aws = LocalAws::FromEnvironment("DYNCREDS_LOCAL_AWS_B");
  west_aws.Reset();
  REQUIRE(west_aws.account_id() != east.aws.account_id());
  std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
  auto open = [&](const std::string& mount, LocalAws& endpoint) {
    EngineOptions o;
    o.mount = mount;
    o.store = store.get();
    o.transport = east.transport.get();
    o.clock = &east.worker_clock;
    o.revocation.background_worker = false;
    std::unique_ptr<Engine> engine = Engine::Open(std::move(o)).value();
    REQUIRE(engine->WriteRootConfig(Fixture::RootJson(endpoint, endpoint.AddPrincipal(
        R"({"name":"vault-root-)" + mount + R"(","seeds_policy":true})"))).ok());
    REQUIRE(engine->WriteRole("ro", R"({"credential_type":"iam_user","default_ttl":"10m"})").ok());
    return engine;
  };
  std::unique_ptr<Engine> aws = open("aws", east.aws);
  std::unique_ptr<Engine> west = open("aws-us-west-2", west_aws);
  IssuedCredential a = aws->Issue("ro").value();
  IssuedCredential w = west->Issue("ro").value();
  REQUIRE(Fixture::CountUsers(east.aws) == 1);
  REQUIRE(Fixture::CountUsers(west_aws) == 1);

  // Another mount's lease is not found, by id or by prefix: "aws" means "aws/".
  CHECK(aws->Lookup(w.lease_id).status().Is(ErrorCode::kNotFound));
  CHECK(aws->Revoke(w.lease_id).Is(ErrorCode::kNotFound));
  CHECK(aws->Renew(w.lease_id, std::chrono::seconds(60)).status().Is(ErrorCode::kNotFound));
  CHECK(aws->ListLeases("aws")->size() == 1);
  CHECK(aws->RevokePrefix("aws", nullptr).value() == 1);
  CHECK(Fixture::CountUsers(east.aws) == 0);
  CHECK(Fixture::CountUsers(west_aws) == 1);
  CHECK(west->Lookup(w.lease_id).ok());

  // Expiry: aws's worker leaves aws-us-west-2's lease to its own engine.
  east.worker_clock.Advance(11min);
  CHECK(aws->Tick() == 0);
  CHECK(Fixture::CountUsers(west_aws) == 1);
  CHECK(west->Tick() == 1);
  CHECK(Fixture::CountUsers(west_aws) == 0);
  CHECK(store->ListLeases("aws-us-west-2", "", "", 0)->empty());
  (void)a;
}

TEST_CASE("iam_groups: refused with IAM's words until the policy covers the group, then works; nothing left either way") {
  const char kGroupStatement[] = R"([{"Effect":"Allow","Action":["iam:AddUserToGroup","iam:RemoveUserFromGroup"],
      "Resource":"arn:aws:iam::*:group/readers"}])";
  for (const bool covered : {false, true}) {
    CAPTURE(covered);
    Fixture f(covered ? kGroupStatement : "");
    auto iam = f.aws.NewClient("iam", f.transport.get());
    REQUIRE(iam->Call(aws::QueryRequest("CreateGroup", aws::kIamApiVersion).Add("GroupName", "readers"),
                      f.aws.AdminCredentials()).ok());
    REQUIRE(f.engine->WriteRole("grouped", R"({"credential_type":"iam_user","iam_groups":"readers"})").ok());
    Result<IssuedCredential> c = f.engine->Issue("grouped");
    if (!covered) {
      REQUIRE_FALSE(c.ok());
      CHECK(c.status().Is(ErrorCode::kPermissionDenied));
      CHECK(c.status().aws()->message.find("is not authorized to perform: iam:AddUserToGroup on resource: arn:aws:iam::" +
                                           f.aws.account_id() + ":group/readers") != std::string::npos);
      CHECK(c.status().message().find("what was created has been removed") != std::string::npos);
      CHECK(f.UserCount() == 0);
      continue;
    }
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    REQUIRE(f.engine->Revoke(c->lease_id).ok());
    CHECK(f.UserCount() == 0);
  }
}

TEST_CASE("swapped IAM and STS endpoints are refused as AWS refuses them, naming the service") {
  LocalAws aws = LocalAws::FromEnvironment();
  aws.Reset();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  EngineOptions o;
  o.transport = transport.get();
  o.revocation.background_worker = false;
  std::unique_ptr<Engine> engine = Engine::Open(std::move(o)).value();
  const AwsCredentials root = aws.SeedsRoot();
  REQUIRE(engine->WriteRootConfig(R"({"access_key":")" + root.access_key_id() + R"(","secret_key":")" +
                                  std::string(root.secret_access_key().view()) + R"(","iam_endpoint":")" +
                                  aws.sts_url() + R"(","sts_endpoint":")" + aws.iam_url() + R"(","max_retries":0})")
              .ok());
  REQUIRE(engine->WriteRole("ro", R"({"credential_type":"iam_user"})").ok());
  REQUIRE(engine->WriteRole("session", R"({"credential_type":"session_token"})").ok());
  for (const char* role : {"ro", "session"}) {
    CAPTURE(std::string(role));
    Status s = engine->Issue(role).status();
    REQUIRE_FALSE(s.ok());
    REQUIRE(s.aws() != nullptr);
    CHECK(s.aws()->code == "SignatureDoesNotMatch");
    CHECK(s.aws()->message.find("scoped to correct service") != std::string::npos);
  }
  CHECK(Fixture::CountUsers(aws) == 0);
}
