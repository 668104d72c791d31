// The foundation's Query client against the local IAM/STS endpoint, whose
// signature checks are botocore's: typed replies for each action the engine
// uses, AWS errors with code, message and request id, retries under injected
// faults, clock-skew correction, keep-alive and concurrent use.
//
// These call as the endpoint's administrator, on purpose: they test the
// client's wire behaviour for every action (roles, groups, users of any
// name), not the engine's permissions; the engine's own tests run under the
// seeds' least-privilege policy.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "support/local_aws.h"
#include "dyncreds/curl_transport.h"

using namespace dyncreds;
using namespace dyncreds::aws;
using dyncreds::testing::LocalAws;

namespace {

const char kPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})";
const char kReadOnly[] = "arn:aws:iam::aws:policy/ReadOnlyAccess";

RetryPolicy FastRetries(int attempts = 3) {
  RetryPolicy retry;
  retry.max_attempts = attempts;
  retry.base_delay = std::chrono::milliseconds(5);
  retry.max_backoff = std::chrono::milliseconds(20);
  return retry;
}

// A reset endpoint with IAM and STS clients using the administrator's key.
struct Fixture {
  LocalAws aws = LocalAws::FromEnvironment();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  std::unique_ptr<QueryClient> iam;
  std::unique_ptr<QueryClient> sts;
  AwsCredentials admin = aws.AdminCredentials();

  explicit Fixture(RetryPolicy retry = FastRetries()) {
    aws.Reset();
    iam = aws.NewClient("iam", transport.get(), retry);
    sts = aws.NewClient("sts", transport.get(), retry);
  }

  Result<QueryReply> Iam(const QueryRequest& request) { return iam->Call(request, admin); }

  QueryReply MustIam(const QueryRequest& request) {
    Result<QueryReply> reply = Iam(request);
    REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
    return std::move(reply).value();
  }

  Result<CallerIdentity> WhoAmI(const AwsCredentials& credentials) {
    Result<QueryReply> reply = sts->Call(QueryRequest("GetCallerIdentity", kStsApiVersion), credentials);
    if (!reply.ok()) return reply.status();
    return ParseCallerIdentity(*reply);
  }
};

QueryRequest Iam(const char* action, std::initializer_list<std::pair<const char*, std::string>> params) {
  QueryRequest request(action, kIamApiVersion);
  for (const auto& [name, value] : params) request.Add(name, value);
  return request;
}

void CheckAwsError(const Status& status, ErrorCode kind, const char* code, int http_status) {
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == kind);
  REQUIRE(status.aws() != nullptr);
  CHECK(status.aws()->code == code);
  CHECK(status.aws()->http_status == http_status);
  CHECK(status.aws()->request_id.size() == 36);  // the endpoint's UUID request ids
  CHECK_FALSE(status.aws()->message.empty());
}

}  // namespace

TEST_CASE("signed calls pass botocore's signature check and parse into typed results") {
  Fixture f;
  Result<CallerIdentity> me = f.WhoAmI(f.admin);
  REQUIRE_MESSAGE(me.ok(), me.status().ToString());
  CHECK(me->arn == "arn:aws:iam::" + f.aws.account_id() + ":user/admin");
  CHECK(me->account == f.aws.account_id());
}

TEST_CASE("the life of an IAM user, as the engine will drive it") {
  Fixture f;
  QueryRequest create = Iam("CreateUser", {{"UserName", "vault-alice"}, {"Path", "/dyncreds/"},
                                          {"PermissionsBoundary", kReadOnly}});
  create.AddTags("Tags", {{"dyncreds-lease", "aws/creds/r/1"}, {"team", "a b+c/d"}});
  Result<IamUser> user = ParseUser(f.MustIam(create));
  REQUIRE(user.ok());
  CHECK(user->arn == "arn:aws:iam::" + f.aws.account_id() + ":user/dyncreds/vault-alice");
  CHECK(user->permissions_boundary_arn == kReadOnly);
  CHECK(user->tags == std::vector<std::pair<std::string, std::string>>{
                          {"dyncreds-lease", "aws/creds/r/1"}, {"team", "a b+c/d"}});

  f.MustIam(Iam("AttachUserPolicy", {{"UserName", "vault-alice"}, {"PolicyArn", kReadOnly}}));
  f.MustIam(Iam("PutUserPolicy", {{"UserName", "vault-alice"}, {"PolicyName", "inline"},
                                  {"PolicyDocument", kPolicy}}));
  Result<std::string> document = ParsePolicyDocument(
      f.MustIam(Iam("GetUserPolicy", {{"UserName", "vault-alice"}, {"PolicyName", "inline"}})));
  REQUIRE(document.ok());
  CHECK(*document == kPolicy);  // sent form-encoded, returned URL-encoded, decoded intact
  for (const char* group : {"g-one", "g-two", "g-three"}) {
    f.MustIam(Iam("CreateGroup", {{"GroupName", group}}));
    f.MustIam(Iam("AddUserToGroup", {{"UserName", "vault-alice"}, {"GroupName", group}}));
  }

  // Groups, one per page: the markers the endpoint hands out lead through all of them.
  std::vector<std::string> groups;
  std::string marker;
  do {
    QueryRequest list = Iam("ListGroupsForUser", {{"UserName", "vault-alice"}, {"MaxItems", "1"}});
    if (!marker.empty()) list.Add("Marker", marker);
    Result<Page<IamGroup>> page = ParseListGroups(f.MustIam(list));
    REQUIRE(page.ok());
    for (const IamGroup& g : page->items) groups.push_back(g.group_name);
    marker = page->is_truncated ? page->marker : "";
  } while (!marker.empty());
  CHECK(groups == std::vector<std::string>{"g-one", "g-three", "g-two"});

  Result<NewAccessKey> key = ParseCreateAccessKey(
      f.MustIam(Iam("CreateAccessKey", {{"UserName", "vault-alice"}})));
  REQUIRE(key.ok());
  CHECK(key->metadata.access_key_id.rfind("AKIA", 0) == 0);
  CHECK(key->secret_access_key.size() == 40);
  AwsCredentials issued(key->metadata.access_key_id, SecretString(key->secret_access_key.view()));
  Result<CallerIdentity> as_alice = Status::NotFound("not asked yet");  // works once propagated
  CHECK(testing::Eventually([&] { return (as_alice = f.WhoAmI(issued)).ok(); }));
  REQUIRE_MESSAGE(as_alice.ok(), as_alice.status().ToString());
  CHECK(as_alice->arn == user->arn);

  // DeleteUser is refused while anything hangs on the user, as IAM does.
  CheckAwsError(f.Iam(Iam("DeleteUser", {{"UserName", "vault-alice"}})).status(),
                ErrorCode::kConflict, "DeleteConflict", 409);

  f.MustIam(Iam("DeleteAccessKey", {{"UserName", "vault-alice"},
                                    {"AccessKeyId", key->metadata.access_key_id}}));
  f.MustIam(Iam("DetachUserPolicy", {{"UserName", "vault-alice"}, {"PolicyArn", kReadOnly}}));
  f.MustIam(Iam("DeleteUserPolicy", {{"UserName", "vault-alice"}, {"PolicyName", "inline"}}));
  for (const std::string& group : groups) {
    f.MustIam(Iam("RemoveUserFromGroup", {{"UserName", "vault-alice"}, {"GroupName", group}}));
  }
  f.MustIam(Iam("DeleteUser", {{"UserName", "vault-alice"}}));

  // The deleted key stops working within seconds (IAM is eventually consistent).
  CHECK(testing::Eventually([&] { return !f.WhoAmI(issued).ok(); }));
  CheckAwsError(f.WhoAmI(issued).status(), ErrorCode::kPermissionDenied, "InvalidClientTokenId", 403);
  rapidjson::Document state = f.aws.State();
  CHECK(state["users"].Size() == 1);  // the administrator only
}

TEST_CASE("ListUsers pages follow the markers") {
  Fixture f;
  for (int i = 0; i < 7; ++i) f.MustIam(Iam("CreateUser", {{"UserName", "u" + std::to_string(i)}}));
  std::vector<std::string> names;
  std::string marker;
  int pages = 0;
  do {
    QueryRequest list = Iam("ListUsers", {{"MaxItems", "3"}});
    if (!marker.empty()) list.Add("Marker", marker);
    Result<Page<IamUser>> page = ParseListUsers(f.MustIam(list));
    REQUIRE(page.ok());
    ++pages;
    for (const IamUser& u : page->items) names.push_back(u.user_name);
    marker = page->is_truncated ? page->marker : "";
  } while (!marker.empty());
  CHECK(pages == 3);
  CHECK(names == std::vector<std::string>{"admin", "u0", "u1", "u2", "u3", "u4", "u5", "u6"});
}

TEST_CASE("STS sessions: AssumeRole, GetFederationToken and GetSessionToken credentials work") {
  Fixture f;
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                            R"({"AWS":"arn:aws:iam::)" + f.aws.account_id() +
                            R"(:root"},"Action":"sts:AssumeRole"}]})";
  f.MustIam(Iam("CreateRole", {{"RoleName", "deploy"}, {"AssumeRolePolicyDocument", trust}}));

  QueryRequest assume("AssumeRole", kStsApiVersion);
  assume.Add("RoleArn", "arn:aws:iam::" + f.aws.account_id() + ":role/deploy");
  assume.Add("RoleSessionName", "ci-run");
  assume.Add("DurationSeconds", "900");
  assume.Add("Policy", kPolicy);
  assume.AddStructList("PolicyArns", "arn", {kReadOnly});
  assume.AddTags("Tags", {{"lease", "aws/creds/deploy/x"}});
  assume.Add("ExternalId", "ext-1234");
  Result<QueryReply> reply = f.sts->Call(assume, f.admin);
  REQUIRE_MESSAGE(reply.ok(), reply.status().ToString());
  Result<StsSession> session = ParseStsSession(*reply);
  REQUIRE(session.ok());
  CHECK(session->arn == "arn:aws:sts::" + f.aws.account_id() + ":assumed-role/deploy/ci-run");
  CHECK(session->credentials.access_key_id().rfind("ASIA", 0) == 0);
  REQUIRE(session->credentials.expiration().has_value());
  CHECK(session->packed_policy_size.has_value());
  Result<CallerIdentity> as_role = f.WhoAmI(session->credentials);
  REQUIRE_MESSAGE(as_role.ok(), as_role.status().ToString());
  CHECK(as_role->arn == session->arn);

  QueryRequest federation("GetFederationToken", kStsApiVersion);
  federation.Add("Name", "vault-fed");
  federation.Add("Policy", kPolicy);
  Result<StsSession> fed = ParseStsSession(f.sts->Call(federation, f.admin).value());
  REQUIRE(fed.ok());
  CHECK(f.WhoAmI(fed->credentials)->arn == "arn:aws:sts::" + f.aws.account_id() + ":federated-user/vault-fed");

  QueryRequest token("GetSessionToken", kStsApiVersion);
  token.Add("DurationSeconds", "900");
  Result<StsSession> plain = ParseStsSession(f.sts->Call(token, f.admin).value());
  REQUIRE(plain.ok());
  CHECK(f.WhoAmI(plain->credentials)->arn == "arn:aws:iam::" + f.aws.account_id() + ":user/admin");

  // After their expiry the endpoint refuses them.
  f.aws.Configure(R"({"advance_seconds": 901})");
  CheckAwsError(f.WhoAmI(session->credentials).status(), ErrorCode::kPermissionDenied,
                "ExpiredToken", 403);
}

TEST_CASE("AWS errors keep their code, message and request id, and are not retried") {
  Fixture f;
  Result<QueryReply> missing = f.Iam(Iam("GetUser", {{"UserName", "ghost"}}));
  CheckAwsError(missing.status(), ErrorCode::kNotFound, "NoSuchEntity", 404);
  CHECK(missing.status().aws()->message == "The user with name ghost cannot be found.");

  AwsCredentials wrong_secret(f.admin.access_key_id(), SecretString("0000000000000000000000000000000000000000"));
  CheckAwsError(f.WhoAmI(wrong_secret).status(), ErrorCode::kPermissionDenied,
                "SignatureDoesNotMatch", 403);
  CheckAwsError(f.WhoAmI(AwsCredentials("AKIAUNKNOWNUNKNOWN00", SecretString("x"))).status(),
                ErrorCode::kPermissionDenied, "InvalidClientTokenId", 403);

  f.aws.ClearCalls();
  QueryRequest assume("AssumeRole", kStsApiVersion);
  assume.Add("RoleArn", "arn:aws:iam::" + f.aws.account_id() + ":role/none");
  assume.Add("RoleSessionName", "x1");
  CheckAwsError(f.sts->Call(assume, f.admin).status(), ErrorCode::kPermissionDenied,
                "AccessDenied", 403);
  CHECK(f.aws.CountCalls("AssumeRole") == 1);

  Result<QueryReply> invalid = f.Iam(Iam("CreateUser", {{"UserName", "bad name"}}));
  CheckAwsError(invalid.status(), ErrorCode::kAwsError, "ValidationError", 400);
  CHECK(f.aws.CountCalls("CreateUser") == 1);
}

TEST_CASE("injected throttling, 5xx and dropped connections are retried") {
  Fixture f;
  f.aws.AddFault(R"({"action": "GetUser", "fault": "throttle", "times": 2})");
  REQUIRE(f.Iam(Iam("GetUser", {})).ok());
  CHECK(f.aws.CountCalls("GetUser") == 3);
  CHECK(f.iam->stats().throttles.load() == 2);

  f.aws.AddFault(R"({"action": "ListUsers", "fault": "503", "nth": 1})");
  f.aws.AddFault(R"({"action": "ListUsers", "fault": "500", "nth": 2})");
  REQUIRE(f.Iam(Iam("ListUsers", {})).ok());
  CHECK(f.aws.CountCalls("ListUsers") == 3);

  f.aws.AddFault(R"({"action": "ListGroupsForUser", "fault": "drop", "nth": 1})");
  REQUIRE(f.Iam(Iam("ListGroupsForUser", {{"UserName", "admin"}})).ok());
  CHECK(f.aws.CountCalls("ListGroupsForUser") == 2);
}

TEST_CASE("throttling that persists is reported as kThrottled after the attempts run out") {
  Fixture f;
  f.aws.AddFault(R"({"action": "CreateUser", "fault": "throttle"})");
  Result<QueryReply> reply = f.Iam(Iam("CreateUser", {{"UserName", "never"}}));
  CheckAwsError(reply.status(), ErrorCode::kThrottled, "Throttling", 400);
  CHECK(f.aws.CountCalls("CreateUser") == 3);
  CHECK(f.aws.State()["users"].Size() == 1);
}

TEST_CASE("a skewed service clock is corrected from the Date header, once") {
  Fixture f;
  f.aws.Configure(R"({"skew_seconds": 3600})");
  Result<CallerIdentity> me = f.WhoAmI(f.admin);
  REQUIRE_MESSAGE(me.ok(), me.status().ToString());
  CHECK(f.sts->stats().skew_corrections.load() == 1);
  CHECK(f.sts->clock_offset().count() == doctest::Approx(3600).epsilon(0.002));
  rapidjson::Document calls = f.aws.Calls();
  REQUIRE(calls["calls"].Size() >= 2);
  CHECK(std::string(calls["calls"][0]["code"].GetString()) == "SignatureDoesNotMatch");
  CHECK(f.WhoAmI(f.admin).ok());  // later calls sign with the corrected clock
  CHECK(f.sts->stats().skew_corrections.load() == 1);
}

TEST_CASE("a fresh key is refused while IAM propagates it, then works") {
  Fixture f;
  f.aws.Configure(R"({"key_propagation_seconds": 10})");
  f.MustIam(Iam("CreateUser", {{"UserName", "fresh"}}));
  Result<NewAccessKey> key = ParseCreateAccessKey(f.MustIam(Iam("CreateAccessKey", {{"UserName", "fresh"}})));
  REQUIRE(key.ok());
  AwsCredentials fresh(key->metadata.access_key_id, SecretString(key->secret_access_key.view()));
  CheckAwsError(f.WhoAmI(fresh).status(), ErrorCode::kPermissionDenied, "InvalidClientTokenId", 403);
  f.aws.Configure(R"({"advance_seconds": 10})");
  CHECK(f.WhoAmI(fresh).ok());
}

TEST_CASE("many calls share one keep-alive connection") {
  Fixture f;
  REQUIRE(f.WhoAmI(f.admin).ok());  // opens the client's connection
  const int before = f.aws.Connections();
  for (int i = 0; i < 20; ++i) REQUIRE(f.WhoAmI(f.admin).ok());
  CHECK(f.aws.Connections() == before);  // the control plane keeps its own alive too
}

TEST_CASE("eight threads issue and delete users concurrently through one client") {
  Fixture f;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<QueryReply> created = f.Iam(Iam("CreateUser", {{"UserName", name}}));
        Result<QueryReply> key = f.Iam(Iam("CreateAccessKey", {{"UserName", name}}));
        if (!created.ok() || !key.ok()) {
          ++failures;
          continue;
        }
        Result<NewAccessKey> parsed = ParseCreateAccessKey(*key);
        if (!parsed.ok() ||
            !f.Iam(Iam("DeleteAccessKey", {{"UserName", name},
                                           {"AccessKeyId", parsed->metadata.access_key_id}})).ok() ||
            !f.Iam(Iam("DeleteUser", {{"UserName", name}})).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures.load() == 0);
  CHECK(f.aws.State()["users"].Size() == 1);
  CHECK(f.aws.CountCalls("CreateUser") == 40);
}
