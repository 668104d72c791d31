// AwsIamProvider against the local IAM/STS endpoint: the full life of an IAM
// user (every attachment removed on delete, idempotently), cleanup when any
// step of creation fails, a lost CreateUser reply, short list pages, STS
// credentials of each kind, and group policies for STS roles.
//
// Most cases act as the endpoint's administrator, and say so: they exercise
// every kind of attachment (groups, boundaries, paths, users named outside
// vault-*), which the seeds' least-privilege policy would refuse. The cases
// named "seeds' policy:" run as the root user the seeds describe, as the
// engine's own tests (engine_local_aws_test.cc) do throughout.
#include <doctest/doctest.h>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/curl_transport.h"
#include "dyncreds/aws_iam_provider.h"
#include "support/local_aws.h"

using namespace dyncreds;
using dyncreds::testing::LocalAws;

namespace {

const char kPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
const char kReadOnly[] = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const char kSecurityAudit[] = "arn:aws:iam::aws:policy/SecurityAudit";

struct Fixture {
  LocalAws aws = LocalAws::FromEnvironment();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  std::unique_ptr<IamProvider> provider;
  std::unique_ptr<aws::QueryClient> admin_iam;  // sets the stage, as another IAM admin would

  // As the administrator, unless `as_root` gives the key to act with.
  explicit Fixture(bool seeds_root = false) {
    aws.Reset();
    AwsProviderConfig config;
    config.credentials = seeds_root ? aws.SeedsRoot() : aws.AdminCredentials();
    config.iam_endpoint = aws.iam_url();
    config.sts_endpoint = aws.sts_url();
    config.transport = transport.get();
    config.max_retries = 2;
    Result<std::unique_ptr<IamProvider>> made = NewAwsIamProvider(std::move(config));
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    provider = std::move(*made);
    aws::RetryPolicy fast;
    fast.base_delay = std::chrono::milliseconds(1);
    admin_iam = aws.NewClient("iam", transport.get(), fast);
  }

  void Admin(const char* action, std::initializer_list<std::pair<const char*, std::string>> params) {
    aws::QueryRequest r(action, aws::kIamApiVersion);
    for (const auto& [k, v] : params) r.Add(k, v);
    Result<aws::QueryReply> reply = admin_iam->Call(r, aws.AdminCredentials());
    REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
  }

  // Users in "AWS" other than the administrator and vault-root.
  int UserCount() {
    int n = 0;
    rapidjson::Document state = aws.State();
    for (const auto& u : state["users"].GetArray()) {
      n += std::string(u["name"].GetString()) != "admin" && std::string(u["name"].GetString()) != "vault-root";
    }
    return n;
  }

  const rapidjson::Value* User(const rapidjson::Document& state, const std::string& name) {
    for (const auto& u : state["users"].GetArray()) {
      if (name == u["name"].GetString()) return &u;
    }
    return nullptr;
  }
};

IamUserSpec FullSpec(const std::string& name = "dyncreds-alice") {
  IamUserSpec spec;
  spec.user_name = name;
  spec.path = "/dyncreds/";
  spec.permissions_boundary_arn = kReadOnly;
  spec.tags = {{"dyncreds-lease", "aws/creds/deploy/" + name}, {"dyncreds-mount", "aws"}};
  spec.policy_arns = {kReadOnly, kSecurityAudit};
  spec.inline_policy_name = "deploy";
  spec.inline_policy = kPolicy;
  spec.groups = {"devs", "ops"};
  return spec;
}

}  // namespace

TEST_CASE("an IAM user is created with everything on it, its key works, and DeleteUser removes it all") {
  Fixture f;
  f.Admin("CreateGroup", {{"GroupName", "devs"}});
  f.Admin("CreateGroup", {{"GroupName", "ops"}});
  Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(FullSpec());
  REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  CHECK(issued->user_arn == "arn:aws:iam::" + f.aws.account_id() + ":user/dyncreds/dyncreds-alice");
  CHECK(issued->credentials.access_key_id().rfind("AKIA", 0) == 0);

  rapidjson::Document state = f.aws.State();
  const rapidjson::Value* user = f.User(state, "dyncreds-alice");
  REQUIRE(user != nullptr);
  CHECK((*user)["attached_policies"].Size() == 2);
  CHECK((*user)["inline_policies"].HasMember("deploy"));
  CHECK((*user)["groups"].Size() == 2);
  CHECK(std::string((*user)["tags"]["dyncreds-lease"].GetString()) == "aws/creds/deploy/dyncreds-alice");
  CHECK(std::string((*user)["permissions_boundary"].GetString()) == kReadOnly);

  // A new key works once it has propagated.
  Result<Identity> who = Status::NotFound("not asked yet");
  CHECK(testing::Eventually([&] { return (who = f.provider->WhoAmI(issued->credentials)).ok(); }));
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->arn == issued->user_arn);

  // Things a person may have added that block DeleteUser in IAM.
  f.Admin("CreateLoginProfile", {{"UserName", "dyncreds-alice"}, {"Password", "correct-horse-9"}});
  f.Admin("UploadSSHPublicKey", {{"UserName", "dyncreds-alice"},
                                 {"SSHPublicKeyBody", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample me@host"}});
  f.Admin("UploadSigningCertificate", {{"UserName", "dyncreds-alice"},
                                       {"CertificateBody", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}});
  f.Admin("CreateServiceSpecificCredential", {{"UserName", "dyncreds-alice"}, {"ServiceName", "codecommit.amazonaws.com"}});

  Status deleted = f.provider->DeleteUser("dyncreds-alice");
  REQUIRE_MESSAGE(deleted.ok(), deleted.ToString());
  CHECK(f.UserCount() == 0);
  CHECK(testing::Eventually([&] { return !f.provider->WhoAmI(issued->credentials).ok(); }));  // within seconds
  // Already gone: still success.
  CHECK(f.provider->DeleteUser("dyncreds-alice").ok());
}

TEST_CASE("a failure at any step of creation leaves no IAM user behind") {
  for (const char* action : {"CreateUser", "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup", "CreateAccessKey"}) {
    CAPTURE(action);
    Fixture f;
    f.Admin("CreateGroup", {{"GroupName", "devs"}});
    f.Admin("CreateGroup", {{"GroupName", "ops"}});
    f.aws.AddFault(std::string(R"({"action": ")") + action + R"(", "fault": "500"})");  // every attempt
    Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(FullSpec());
    REQUIRE_FALSE(issued.ok());
    REQUIRE(issued.status().aws() != nullptr);
    CHECK(issued.status().aws()->code == "ServiceFailure");
    CHECK(f.UserCount() == 0);
  }
}

TEST_CASE("a refused step (bad policy ARN) is reported with AWS's error and cleaned up") {
  Fixture f;
  IamUserSpec spec = FullSpec();
  spec.groups.clear();
  spec.policy_arns = {"arn:aws:iam::aws:policy/DoesNotExist"};
  Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(spec);
  REQUIRE_FALSE(issued.ok());
  CHECK(issued.status().code() == ErrorCode::kNotFound);
  CHECK(issued.status().aws()->code == "NoSuchEntity");
  CHECK(issued.status().message().find("what was created has been removed") != std::string::npos);
  CHECK(f.UserCount() == 0);
}

TEST_CASE("a lost CreateUser reply: the retry adopts our own user, never someone else's") {
  Fixture f;
  IamUserSpec spec = FullSpec();
  spec.groups.clear();
  f.aws.AddFault(R"({"action": "CreateUser", "fault": "drop", "when": "after", "nth": 1})");
  Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(spec);
  REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  CHECK(f.UserCount() == 1);

  // A user of the same name that is not ours (other tags) is left alone.
  f.Admin("CreateUser", {{"UserName", "someone-else"}});
  Result<IssuedUserKey> clash = f.provider->CreateUserWithKey(FullSpec("someone-else"));
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.status().aws()->code == "EntityAlreadyExists");
  rapidjson::Document state = f.aws.State();
  REQUIRE(f.User(state, "someone-else") != nullptr);
  CHECK((*f.User(state, "someone-else"))["access_keys"].Size() == 0);
}

TEST_CASE("DeleteUser follows list markers through short pages, and resumes after a failure") {
  Fixture f;
  f.Admin("CreateUser", {{"UserName", "big"}});
  for (int i = 0; i < 7; ++i) {
    const std::string g = "group-" + std::to_string(i);
    f.Admin("CreateGroup", {{"GroupName", g}});
    f.Admin("AddUserToGroup", {{"UserName", "big"}, {"GroupName", g}});
    f.Admin("PutUserPolicy", {{"UserName", "big"}, {"PolicyName", "p" + std::to_string(i)}, {"PolicyDocument", "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"a\"}]}"}});
  }
  f.aws.Configure(R"({"max_page_items": 2})");
  f.aws.AddFault(R"({"action": "RemoveUserFromGroup", "fault": "503", "nth": 4, "times": 3})");
  Status first = f.provider->DeleteUser("big");
  REQUIRE_FALSE(first.ok());
  // The teardown went on past the failed removal; DeleteUser then refused,
  // and the error says why.
  CHECK(first.aws()->code == "DeleteConflict");
  CHECK(first.message().find("iam:RemoveUserFromGroup") != std::string::npos);
  CHECK(first.message().find("ServiceUnavailable") != std::string::npos);
  CHECK(f.UserCount() == 1);
  Status second = f.provider->DeleteUser("big");
  REQUIRE_MESSAGE(second.ok(), second.ToString());
  CHECK(f.UserCount() == 0);
  CHECK(f.aws.CountCalls("DeleteUserPolicy") == 7);
  CHECK(f.aws.CountCalls("RemoveUserFromGroup") == 7 + 3);
}

TEST_CASE("STS credentials of each kind, and group policies for STS roles") {
  Fixture f;
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},)"
                            R"("Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-42"}}}]})";
  f.Admin("CreateRole", {{"RoleName", "deploy"}, {"AssumeRolePolicyDocument", trust}});
  AssumeRoleSpec assume;
  assume.role_arn = "arn:aws:iam::" + f.aws.account_id() + ":role/deploy";
  assume.session_name = "vault-1234";
  assume.duration = std::chrono::seconds(900);
  assume.policy = kPolicy;
  assume.policy_arns = {kReadOnly};
  assume.tags = {{"lease", "aws/creds/deploy/x"}};
  assume.external_id = "ext-42";
  Result<StsCredentials> role = f.provider->AssumeRole(assume);
  REQUIRE_MESSAGE(role.ok(), role.status().ToString());
  CHECK(role->arn == "arn:aws:sts::" + f.aws.account_id() + ":assumed-role/deploy/vault-1234");
  CHECK(f.provider->WhoAmI(role->credentials)->arn == role->arn);
  assume.external_id = "wrong";
  CHECK(f.provider->AssumeRole(assume).status().code() == ErrorCode::kPermissionDenied);

  FederationTokenSpec federation;
  federation.name = "vault-fed";
  federation.duration = std::chrono::seconds(900);
  federation.policy = kPolicy;
  Result<StsCredentials> fed = f.provider->GetFederationToken(federation);
  REQUIRE_MESSAGE(fed.ok(), fed.status().ToString());
  CHECK(fed->arn.find(":federated-user/vault-fed") != std::string::npos);

  Result<StsCredentials> session = f.provider->GetSessionToken(SessionTokenSpec{std::chrono::seconds(900), "", ""});
  REQUIRE_MESSAGE(session.ok(), session.status().ToString());
  CHECK(session->credentials.session_token().size() > 100);

  f.Admin("CreateGroup", {{"GroupName", "readers"}});
  f.Admin("AttachGroupPolicy", {{"GroupName", "readers"}, {"PolicyArn", kSecurityAudit}});
  f.Admin("PutGroupPolicy", {{"GroupName", "readers"}, {"PolicyName", "s3"}, {"PolicyDocument", kPolicy}});
  Result<GroupPolicies> groups = f.provider->GetGroupPolicies({"readers"});
  REQUIRE_MESSAGE(groups.ok(), groups.status().ToString());
  CHECK(groups->policy_arns == std::vector<std::string>{kSecurityAudit});
  CHECK(groups->documents == std::vector<std::string>{kPolicy});
  CHECK(f.provider->GetGroupPolicies({"nope"}).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("provider configuration errors name the field") {
  AwsProviderConfig config;
  CHECK(NewAwsIamProvider(config).status().field() == "access_key");
}

TEST_CASE("seeds' policy: CreateUser with tags is denied iam:TagUser, so users are made untagged from then on") {
  Fixture f(/*seeds_root=*/true);
  IamUserSpec spec;
  spec.user_name = "vault-untagged-1";
  spec.tags = {{"dyncreds-lease", "aws/creds/ro/1"}, {"dyncreds-mount", "aws"}};
  spec.policy_arns = {kReadOnly};
  Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(spec);
  REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  CHECK_FALSE(issued->tagged);
  rapidjson::Document state = f.aws.State();
  CHECK((*f.User(state, "vault-untagged-1"))["tags"].ObjectEmpty());
  CHECK(f.aws.CountCalls("CreateUser") == 2);  // tagged (denied), then untagged
  spec.user_name = "vault-untagged-2";
  REQUIRE(f.provider->CreateUserWithKey(spec).ok());
  CHECK(f.aws.CountCalls("CreateUser") == 3);  // no second denied attempt
  REQUIRE(f.provider->DeleteUser("vault-untagged-1").ok());
  REQUIRE(f.provider->DeleteUser("vault-untagged-2").ok());
  CHECK(f.UserCount() == 0);
}

TEST_CASE("seeds' policy: a lost CreateUser reply of an untagged user is adopted only if made after created_after") {
  Fixture f(/*seeds_root=*/true);
  IamUserSpec spec;
  spec.user_name = "vault-lost-1";
  spec.tags = {{"dyncreds-lease", "aws/creds/ro/1"}};
  spec.created_after = std::chrono::system_clock::now() - std::chrono::minutes(5);
  // The reply of the untagged CreateUser is lost (the denied tagged attempt
  // never gets as far as an "after" fault).
  f.aws.AddFault(R"({"action": "CreateUser", "fault": "drop", "when": "after", "nth": 1})");
  Result<IssuedUserKey> issued = f.provider->CreateUserWithKey(spec);
  REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  CHECK(f.UserCount() == 1);
  CHECK(f.aws.CountCalls("CreateUser") == 3);  // denied, dropped, EntityAlreadyExists: adopted

  // Someone else's untagged user, made before this issuance began: not ours.
  f.Admin("CreateUser", {{"UserName", "vault-theirs"}});
  spec.user_name = "vault-theirs";
  spec.created_after = std::chrono::system_clock::now() + std::chrono::minutes(1);
  Result<IssuedUserKey> clash = f.provider->CreateUserWithKey(spec);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.status().aws()->code == "EntityAlreadyExists");
  rapidjson::Document state = f.aws.State();
  CHECK((*f.User(state, "vault-theirs"))["access_keys"].Size() == 0);
}
