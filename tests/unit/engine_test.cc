// Engine with a fake provider and a test clock: issuance for each credential
// type, TTL arithmetic, lease state transitions (renew, revoke, prefix,
// force), the revocation worker's backoff and irrevocable leases, lease caps,
// configuration errors, readiness waiting, and concurrent use.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "dyncreds/engine.h"
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
  std::vector<Lease> irrevocable;
  std::mutex irrevocable_mu;
  std::unique_ptr<Engine> engine;

  explicit Fixture(int max_attempts = 6) {
    EngineOptions o = FakeEngineOptions(&clock, &provider, store.get());
    o.revocation.max_attempts = max_attempts;
    o.on_irrevocable = [this](const Lease& l) {
      std::lock_guard<std::mutex> lock(irrevocable_mu);
      irrevocable.push_back(l);
    };
    engine = Engine::Open(std::move(o)).value();
  }

  void Role(const std::string& name, const std::string& json) {
    Status s = engine->WriteRole(name, json);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }

  IssuedCredential Issue(const std::string& role, IssueOptions options = {}) {
    Result<IssuedCredential> c = engine->Issue(role, options);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    return std::move(c).value();
  }
};

const char kUserRole[] = R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
  "policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]},
  "iam_groups":"devs","iam_tags":{"team":"infra"},"user_path":"/dyncreds/"})";

}  // namespace

TEST_CASE("iam_user: the user is built from the role, tagged with its lease, and the lease keeps no secret") {
  Fixture f;
  f.Role("deploy", kUserRole);
  IssuedCredential c = f.Issue("deploy", [] { IssueOptions o; o.display_name = "token alice"; return o; }());
  CHECK(c.lease_id.rfind("aws/creds/deploy/", 0) == 0);
  CHECK(c.lease_id.size() == std::string("aws/creds/deploy/").size() + 32);  // 128 bits: 48 of time, 80 random
  CHECK(c.renewable);
  CHECK(c.lease_duration == 768h);  // Vault's default config/lease
  CHECK(c.credentials.secret_access_key().size() > 0);

  auto users = f.provider.users();
  REQUIRE(users.size() == 1);
  const IamUserSpec& spec = users.begin()->second;
  CHECK(spec.user_name == c.user_name);
  CHECK(spec.user_name.rfind("vault-token_alice-deploy-", 0) == 0);  // Vault's default template
  CHECK(spec.path == "/dyncreds/");
  CHECK(spec.policy_arns == std::vector<std::string>{"arn:aws:iam::aws:policy/ReadOnlyAccess"});
  CHECK(spec.inline_policy_name == "deploy");
  CHECK(spec.groups == std::vector<std::string>{"devs"});
  CHECK(spec.tags == Tags{{"team", "infra"}, {"dyncreds-lease", c.lease_id}, {"dyncreds-mount", "aws"}});

  Lease lease = f.engine->Lookup(c.lease_id).value();
  CHECK(lease.user_name == c.user_name);
  CHECK(lease.access_key_id == c.credentials.access_key_id());
  CHECK(lease.expires_at == f.clock.Now() + 768h);
  CHECK(lease.state == LeaseState::kActive);
}

TEST_CASE("iam_user TTLs: request, role default_ttl/max_ttl, then config/lease") {
  Fixture f;
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"2h","lease_max":"10h"})").ok());
  f.Role("mount-default", R"({"credential_type":"iam_user"})");
  f.Role("own", R"({"credential_type":"iam_user","default_ttl":"30m","max_ttl":"1h"})");
  CHECK(f.Issue("mount-default").lease_duration == 2h);
  CHECK(f.Issue("own").lease_duration == 30min);
  IssueOptions ask;
  ask.ttl = 45min;
  CHECK(f.Issue("own", ask).lease_duration == 45min);
  ask.ttl = 5h;  // capped by the role's max_ttl
  CHECK(f.Issue("own", ask).lease_duration == 1h);
  ask.ttl = 20h;  // capped by lease_max
  CHECK(f.Issue("mount-default", ask).lease_duration == 10h);
  CHECK(*f.engine->ReadLeaseConfig() == R"({"lease":"2h0m0s","lease_max":"10h0m0s"})");
}

TEST_CASE("renew extends from now, never past the max TTL; STS leases are not renewable") {
  Fixture f;
  f.Role("own", R"({"credential_type":"iam_user","default_ttl":"1h","max_ttl":"3h"})");
  IssuedCredential c = f.Issue("own");
  const TimePoint issued = f.clock.Now();
  f.clock.Advance(50min);
  Lease renewed = f.engine->Renew(c.lease_id, 2h).value();
  CHECK(renewed.expires_at == issued + 50min + 2h);
  f.clock.Advance(110min);
  renewed = f.engine->Renew(c.lease_id).value();  // the role's TTL, capped at issue + 3h
  CHECK(renewed.expires_at == issued + 3h);
  f.clock.Advance(21min);
  CHECK(f.engine->Renew(c.lease_id).status().code() == ErrorCode::kNotFound);  // expired

  f.Role("sts", R"({"credential_type":"session_token"})");
  IssuedCredential s = f.Issue("sts");
  Status refused = f.engine->Renew(s.lease_id).status();
  CHECK(refused.code() == ErrorCode::kInvalidArgument);
  CHECK(refused.message().find("not renewable") != std::string::npos);
}

TEST_CASE("revoke deletes the IAM user and the lease; STS revocation only ends the lease") {
  Fixture f;
  f.Role("deploy", kUserRole);
  f.Role("sts", R"({"credential_type":"session_token"})");
  IssuedCredential c = f.Issue("deploy");
  IssuedCredential s = f.Issue("sts");
  REQUIRE(f.engine->Revoke(c.lease_id).ok());
  CHECK(f.provider.users().empty());
  CHECK(f.engine->Lookup(c.lease_id).status().code() == ErrorCode::kNotFound);
  CHECK(f.engine->Revoke(c.lease_id).code() == ErrorCode::kNotFound);
  const auto calls_before = f.provider.calls().size();
  REQUIRE(f.engine->Revoke(s.lease_id).ok());
  CHECK(f.provider.calls().size() == calls_before);  // no AWS call for STS
}

TEST_CASE("the worker revokes at expiry and retries failures with exponential backoff") {
  Fixture f(/*max_attempts=*/4);
  f.Role("own", R"({"credential_type":"iam_user","default_ttl":"1h"})");
  IssuedCredential c = f.Issue("own");
  CHECK(f.engine->Tick() == 0);  // not due yet
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400), 4);
  f.clock.Advance(1h);
  TimePoint now = f.clock.Now();
  CHECK(f.engine->Tick() == 1);
  Lease lease = f.engine->Lookup(c.lease_id).value();
  CHECK(lease.revoke_attempts == 1);
  CHECK(lease.due_at == now + 10s);
  CHECK(lease.last_error.find("Throttling") != std::string::npos);
  for (std::chrono::seconds wait : {10s, 20s}) {
    f.clock.Advance(wait);
    now = f.clock.Now();
    CHECK(f.engine->Tick() == 1);
    lease = f.engine->Lookup(c.lease_id).value();
    CHECK(lease.due_at == now + 2 * wait);  // 10, 20, 40 seconds
  }
  f.clock.Advance(40s);
  CHECK(f.engine->Tick() == 1);  // 4th failure: irrevocable, reported, kept
  lease = f.engine->Lookup(c.lease_id).value();
  CHECK(lease.state == LeaseState::kIrrevocable);
  CHECK(lease.due_at == f.clock.Now() + 24h);
  REQUIRE(f.irrevocable.size() == 1);
  CHECK(f.irrevocable[0].id == c.lease_id);
  f.clock.Advance(24h);
  CHECK(f.engine->Tick() == 1);  // retried daily; this time it works
  CHECK(f.engine->Lookup(c.lease_id).status().code() == ErrorCode::kNotFound);
  CHECK(f.provider.users().empty());
}

TEST_CASE("revoke by prefix, and force-revoke that drops leases whose cleanup fails") {
  Fixture f;
  f.Role("a", R"({"credential_type":"iam_user"})");
  f.Role("b", R"({"credential_type":"iam_user"})");
  for (int i = 0; i < 5; ++i) f.Issue("a");
  IssuedCredential other = f.Issue("b");
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kAwsError, "DeleteConflict", 409), 1);
  Result<std::size_t> revoked = f.engine->RevokePrefix("aws/creds/a/");
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.status().message().find("1 of 5 leases") != std::string::npos);
  CHECK(f.engine->ListLeases("aws/creds/a/")->size() == 1);
  CHECK(f.engine->RevokePrefix("aws/creds/a/").value() == 1);
  CHECK(f.engine->Lookup(other.lease_id).ok());

  for (int i = 0; i < 3; ++i) f.Issue("a");
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403), 1);
  ForceRevokeReport report = f.engine->ForceRevoke("aws/creds/a/").value();
  CHECK(report.revoked.size() == 2);
  REQUIRE(report.dropped.size() == 1);
  CHECK(report.dropped[0].second.find("AccessDenied") != std::string::npos);
  CHECK(f.engine->ListLeases("aws/creds/a/")->empty());
  CHECK(f.provider.users().size() == 2);  // `other`, and the one whose cleanup failed
}

TEST_CASE("max_active_leases caps a role; revoking frees a slot") {
  Fixture f;
  f.Role("capped", R"({"credential_type":"iam_user","max_active_leases":2})");
  IssuedCredential first = f.Issue("capped");
  f.Issue("capped");
  Result<IssuedCredential> third = f.engine->Issue("capped");
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == ErrorCode::kConflict);
  CHECK(third.status().message().find("max_active_leases 2") != std::string::npos);
  CHECK(f.provider.users().size() == 2);
  REQUIRE(f.engine->Revoke(first.lease_id).ok());
  f.Issue("capped");
}

TEST_CASE("assumed_role: role_arn choice, session name, STS TTL clamping, session tags and external id") {
  Fixture f;
  f.Role("one", R"({"credential_type":"assumed_role","role_arns":"arn:aws:iam::123456789012:role/deploy",
                   "default_sts_ttl":"15m","max_sts_ttl":"1h","session_tags":{"team":"x"},"external_id":"ext-1"})");
  IssuedCredential c = f.Issue("one");
  CHECK_FALSE(c.renewable);
  CHECK(c.lease_duration == 15min);
  AssumeRoleSpec spec = f.provider.last_assume_role();
  CHECK(spec.role_arn == "arn:aws:iam::123456789012:role/deploy");
  CHECK(spec.duration == 15min);
  CHECK(spec.tags == Tags{{"team", "x"}});
  CHECK(spec.external_id == "ext-1");
  CHECK(spec.session_name.rfind("vault-token-one-", 0) == 0);
  CHECK(c.arn == "arn:aws:sts::123456789012:assumed-role/deploy/" + spec.session_name);

  IssueOptions o;
  o.ttl = 5h;  // clamped to max_sts_ttl, silently, as Vault does
  o.role_session_name = "ci run";
  CHECK(f.Issue("one", o).lease_duration == 1h);
  CHECK(f.provider.last_assume_role().session_name == "ci_run");

  f.Role("two", R"({"credential_type":"assumed_role","role_arns":["arn:aws:iam::123456789012:role/a","arn:aws:iam::123456789012:role/b"]})");
  CHECK(f.engine->Issue("two").status().field() == "role_arn");
  o = IssueOptions();
  o.role_arn = "arn:aws:iam::123456789012:role/c";
  CHECK(f.engine->Issue("two", o).status().field() == "role_arn");
  o.role_arn = "arn:aws:iam::123456789012:role/b";
  CHECK(f.Issue("two", o).arn.find("assumed-role/b/") != std::string::npos);
}

TEST_CASE("federation_token and session_token, with group policies merged for STS") {
  Fixture f;
  f.provider.SetGroupPolicies("readers", GroupPolicies{
      {R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:List*","Resource":"*"}})"},
      {"arn:aws:iam::aws:policy/SecurityAudit"}});
  f.Role("fed", R"({"credential_type":"federation_token","iam_groups":"readers",
                   "policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}})");
  IssuedCredential fed = f.Issue("fed");
  FederationTokenSpec spec = f.provider.last_federation_token();
  CHECK(spec.name.size() <= 32);
  CHECK(spec.name.rfind("vault-", 0) == 0);
  CHECK(spec.duration == 1h);
  CHECK(spec.policy == R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},)"
                       R"({"Effect":"Allow","Action":"s3:List*","Resource":"*"}]})");
  CHECK(spec.policy_arns == std::vector<std::string>{"arn:aws:iam::aws:policy/SecurityAudit"});
  CHECK(fed.arn == "arn:aws:sts::123456789012:federated-user/" + spec.name);

  f.Role("session", R"({"credential_type":"session_token","mfa_serial_number":"arn:aws:iam::123456789012:mfa/me"})");
  IssueOptions o;
  o.mfa_code = "123456";
  o.ttl = 2h;
  IssuedCredential session = f.Issue("session", o);
  CHECK(session.lease_duration == 2h);
  SessionTokenSpec st = f.provider.last_session_token();
  CHECK(st.mfa_serial_number == "arn:aws:iam::123456789012:mfa/me");
  CHECK(st.mfa_code == "123456");
  CHECK(f.engine->Lookup(session.lease_id)->expires_at == f.clock.Now() + 2h);
}

TEST_CASE("STS leases end at expiry through the worker, without AWS calls") {
  Fixture f;
  f.Role("sts", R"({"credential_type":"session_token","default_sts_ttl":"15m"})");
  IssuedCredential s = f.Issue("sts");
  const auto calls = f.provider.calls().size();
  f.clock.Advance(15min);
  CHECK(f.engine->Tick() == 1);
  CHECK(f.engine->Lookup(s.lease_id).status().code() == ErrorCode::kNotFound);
  CHECK(f.provider.calls().size() == calls);
}

TEST_CASE("a template that makes a bad name fails before anything is created") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"username_template":"{{ printf \"%s-%s\" .DisplayName (random 70) }}"})").ok());
  f.Role("deploy", kUserRole);
  Result<IssuedCredential> c = f.engine->Issue("deploy");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().field() == "username_template");
  CHECK(f.provider.users().empty());
  CHECK(f.engine->ListLeases()->empty());
  CHECK(f.engine->WriteRootConfig(R"({"username_template":"{{ nope }}"})").field() == "username_template");
}

TEST_CASE("a failed issuance leaves no lease; the provider's error is passed on") {
  Fixture f;
  f.Role("deploy", kUserRole);
  f.provider.FailNext("CreateUserWithKey", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400));
  Result<IssuedCredential> c = f.engine->Issue("deploy");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == ErrorCode::kThrottled);
  CHECK(c.status().aws()->request_id == "fake-request-id");
  CHECK(f.engine->ListLeases()->empty());
  CHECK(f.engine->Issue("missing").status().code() == ErrorCode::kNotFound);
}

TEST_CASE("waiting until a new key works, and giving up cleanly") {
  Fixture f;
  f.Role("deploy", kUserRole);
  IssueOptions o;
  o.wait_until_usable = true;
  o.usable_timeout = 30s;
  f.provider.SetPropagationFailures(3);
  IssuedCredential c = f.Issue("deploy", o);
  auto sleeps = f.clock.sleeps();
  REQUIRE(sleeps.size() == 3);
  CHECK(sleeps[0] == 250ms);
  CHECK(sleeps[2] == 1000ms);
  CHECK(f.engine->Lookup(c.lease_id).ok());

  f.provider.SetPropagationFailures(1000);
  Result<IssuedCredential> never = f.engine->Issue("deploy", o);
  REQUIRE_FALSE(never.ok());
  CHECK(never.status().code() == ErrorCode::kTimeout);
  CHECK(f.provider.users().size() == 1);  // the one that never worked was removed
  CHECK(f.engine->ListLeases()->size() == 1);
}

TEST_CASE("configuration: root config never shows the secret; lease config is checked") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT","secret_key":"s3cr3t","region":"eu-west-1"})").ok());
  const std::string root = f.engine->ReadRootConfig().value();
  CHECK(root.find("AKIAROOT") != std::string::npos);
  CHECK(root.find("s3cr3t") == std::string::npos);
  // The store gets the secret apart from the JSON, to seal it.
  CHECK(f.store->GetConfig("aws", "config/root")->json.find("s3cr3t") == std::string::npos);
  CHECK(f.store->GetConfig("aws", "config/root")->secret.view() == "s3cr3t");
  CHECK(f.engine->WriteRootConfig(R"({"colour":"red"})").field() == "colour");
  CHECK(f.engine->WriteRootConfig(R"({"max_retries":-2})").field() == "max_retries");
  CHECK(f.engine->WriteLeaseConfig(R"({"lease":"1h"})").field() == "lease_max");
  CHECK(f.engine->WriteLeaseConfig(R"({"lease":"2h","lease_max":"1h"})").field() == "lease");
  CHECK(f.engine->WriteLeaseConfig(R"({"lease":"soon","lease_max":"1h"})").field() == "lease");
  CHECK(*f.engine->ReadLeaseConfig() == R"({"lease":"768h0m0s","lease_max":"768h0m0s"})");
}

TEST_CASE("deleting a role keeps its leases unless asked to revoke them") {
  Fixture f;
  f.Role("a", R"({"credential_type":"iam_user"})");
  IssuedCredential kept = f.Issue("a");
  REQUIRE(f.engine->DeleteRole("a").ok());
  CHECK(f.engine->Lookup(kept.lease_id).ok());
  f.Role("b", R"({"credential_type":"iam_user"})");
  f.Issue("b");
  REQUIRE(f.engine->DeleteRole("b", /*revoke_leases=*/true).ok());
  CHECK(f.engine->ListLeases("aws/creds/b/")->empty());
  CHECK(f.engine->ReadRole("b").status().code() == ErrorCode::kNotFound);
  CHECK(f.engine->DeleteRole("b").code() == ErrorCode::kNotFound);
}

TEST_CASE("an engine with no provider and no config/root says what is missing") {
  EngineOptions o;
  o.revocation.background_worker = false;
  auto engine = Engine::Open(std::move(o)).value();
  REQUIRE(engine->WriteRole("r", R"({"credential_type":"iam_user"})").ok());
  Status s = engine->Issue("r").status();
  CHECK(s.code() == ErrorCode::kUnavailable);
  CHECK(s.message().find("config/root") != std::string::npos);
  CHECK(Engine::Open([] { EngineOptions bad; bad.mount = "a/b"; return bad; }()).status().field() == "mount");
}

TEST_CASE("many threads issue, renew, revoke and tick on one engine") {
  Fixture f;
  f.Role("u", R"({"credential_type":"iam_user","default_ttl":"1h","max_active_leases":1000})");
  f.Role("s", R"({"credential_type":"session_token"})");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Result<IssuedCredential> c = f.engine->Issue(t % 2 ? "u" : "s");
        if (!c.ok()) { ++failures; continue; }
        if (c->renewable && !f.engine->Renew(c->lease_id, 30min).ok()) ++failures;
        if (i % 3 == 0 && !f.engine->Revoke(c->lease_id).ok()) ++failures;
        if (i % 5 == 0) f.engine->Tick();
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  f.clock.Advance(25h);
  while (f.engine->Tick() > 0) {
  }
  CHECK(f.engine->ListLeases()->empty());
  CHECK(f.provider.users().empty());
}

namespace {

// An engine with its own background worker, polling every `poll`.
std::unique_ptr<Engine> OpenWithWorker(FakeClock& clock, FakeIamProvider& provider, std::chrono::milliseconds poll) {
  EngineOptions o;
  o.provider = &provider;
  o.clock = &clock;
  o.revocation.poll_interval = poll;
  return Engine::Open(std::move(o)).value();
}

}  // namespace

TEST_CASE("max_active_leases holds under concurrency: 8 threads race for 5 slots") {
  Fixture f;
  f.Role("capped", R"({"credential_type":"iam_user","max_active_leases":5})");
  std::atomic<int> issued{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        Result<IssuedCredential> c = f.engine->Issue("capped");
        (c.ok() ? issued : refused)++;
        if (!c.ok()) CHECK(c.status().code() == ErrorCode::kConflict);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(issued.load() == 5);
  CHECK(refused.load() == 27);
  CHECK(f.engine->ListLeases()->size() == 5);
  CHECK(f.provider.users().size() == 5);
}

TEST_CASE("the background worker revokes while threads issue, renew and revoke; nothing is lost or left") {
  FakeClock clock;
  FakeIamProvider provider(&clock);
  auto engine = OpenWithWorker(clock, provider, 1ms);
  REQUIRE(engine->WriteRole("u", R"({"credential_type":"iam_user","default_ttl":"10m","max_ttl":"1h"})").ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        Result<IssuedCredential> c = engine->Issue("u");
        if (!c.ok()) {
          MESSAGE("issue: " << c.status().ToString());
          ++failures;
          continue;
        }
        // The worker may revoke it at any moment from here on: a renewal or
        // revocation that finds it gone is the only acceptable failure.
        Result<Lease> renewed = engine->Renew(c->lease_id, 5min);
        if (!renewed.ok() && !renewed.status().Is(ErrorCode::kNotFound)) {
          MESSAGE("renew: " << renewed.status().ToString());
          ++failures;
        }
        if (i % 2 == t % 2) {
          Status revoked = engine->Revoke(c->lease_id);
          if (!revoked.ok() && !revoked.Is(ErrorCode::kNotFound)) {
            MESSAGE("revoke: " << revoked.ToString());
            ++failures;
          }
        }
        if (i % 7 == 0) clock.Advance(11min);  // makes earlier leases due under the worker
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  // Once the worker has caught up with what is due: every lease left has its
  // user, and every user its lease. (Snapshots taken while it is revoking
  // one may see the user gone and the lease not yet.)
  auto consistent = [&] {
    const std::vector<Lease> left = engine->ListLeases().value();
    const auto users = provider.users();
    return users.size() == left.size() &&
           std::all_of(left.begin(), left.end(), [&](const Lease& l) { return users.count(l.user_name) == 1; });
  };
  const auto settle = std::chrono::steady_clock::now() + 60s;
  bool settled = false;
  while (!(settled = consistent()) && std::chrono::steady_clock::now() < settle) std::this_thread::sleep_for(1ms);
  CHECK(settled);
  clock.Advance(2h);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!engine->ListLeases()->empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  CHECK(engine->ListLeases()->empty());
  CHECK(provider.users().empty());
}

TEST_CASE("the background worker revokes due leases by itself and stops promptly") {
  FakeClock clock;
  FakeIamProvider provider(&clock);
  auto engine = OpenWithWorker(clock, provider, 5ms);
  REQUIRE(engine->WriteRole("u", R"({"credential_type":"iam_user","default_ttl":"1h"})").ok());
  IssuedCredential c = engine->Issue("u").value();
  clock.Advance(1h);
  // Generous for a loaded machine under TSan; it normally takes a few ms.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (engine->Lookup(c.lease_id).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(engine->Lookup(c.lease_id).status().code() == ErrorCode::kNotFound);
  CHECK(provider.users().empty());
  engine.reset();  // joins the worker (a hang here fails the test by the presets' 600 s timeout)
}

TEST_CASE("several mounts share one store and stay apart") {
  FakeClock clock;
  FakeIamProvider provider(&clock);
  auto store = NewMemoryLeaseStore();
  auto open = [&](const char* mount) {
    EngineOptions o = FakeEngineOptions(&clock, &provider, store.get());
    o.mount = mount;
    return Engine::Open(std::move(o)).value();
  };
  auto us = open("aws");
  auto eu = open("aws-eu-west-1");
  REQUIRE(us->WriteRole("deploy", R"({"credential_type":"iam_user","default_ttl":"1h"})").ok());
  CHECK(eu->Issue("deploy").status().code() == ErrorCode::kNotFound);
  REQUIRE(eu->WriteRole("deploy", R"({"credential_type":"iam_user","default_ttl":"2h"})").ok());
  IssuedCredential a = us->Issue("deploy").value();
  IssuedCredential b = eu->Issue("deploy").value();
  CHECK(a.lease_id.rfind("aws/creds/deploy/", 0) == 0);
  CHECK(b.lease_id.rfind("aws-eu-west-1/creds/deploy/", 0) == 0);
  CHECK(b.lease_duration == 2h);
  CHECK(us->RevokePrefix("aws/").value() == 1);
  CHECK(eu->Lookup(b.lease_id).ok());
}

TEST_CASE("config/root without a key falls back to the standard environment variables") {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENVIRONMENT1", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env", 1);
  EngineOptions o;
  o.revocation.background_worker = false;
  auto engine = Engine::Open(std::move(o)).value();
  CHECK(engine->WriteRootConfig(R"({"region":"eu-west-1"})").ok());
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  CHECK(engine->WriteRootConfig(R"({"region":"eu-west-1"})").field() == "access_key");
}

TEST_CASE("revoke-prefix, force-revoke and tidy report their progress") {
  Fixture f;
  f.Role("many", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})");
  for (int i = 0; i < 1205; ++i) f.Issue("many");  // more than one page of 1000
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  auto record = [&](std::size_t done, std::size_t found) { calls.emplace_back(done, found); };
  REQUIRE(f.engine->RevokePrefix("aws/creds/many/", record).value() == 1205);
  REQUIRE(calls.size() == 1205);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    CHECK(calls[i].first == i + 1);  // one call per lease, in order of completion
    CHECK(calls[i].second == (i < 1000 ? 1000u : 1205u));  // found grows a page at a time
  }

  calls.clear();
  f.Issue("many");
  REQUIRE(f.engine->ForceRevoke("aws/creds/many/", record).value().revoked.size() == 1);
  CHECK(calls == std::vector<std::pair<std::size_t, std::size_t>>{{1, 1}});

  calls.clear();
  f.Role("user", kUserRole);
  f.Issue("user");
  f.Issue("user");
  TidyOptions tidy;
  tidy.progress = record;
  REQUIRE(f.engine->Tidy(tidy).ok());
  CHECK(calls == std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}, {1, 2}, {2, 2}});
}

TEST_CASE("a config write held up by a slow audit sink does not hold up issuance, renewal or reading config") {
  for (const bool root : {false, true}) {
    CAPTURE(root);
    FakeClock clock;
    FakeIamProvider provider{&clock};
    std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
    std::mutex mu;
    std::condition_variable cv;
    bool holding = false, release = false;
    EngineOptions o = FakeEngineOptions(&clock, &provider, store.get());
    o.audit = [&](const AuditEvent& event) {
      if (event.operation == "config.write") {  // the sink stalls on config writes only
        std::unique_lock<std::mutex> lock(mu);
        holding = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
      }
      return Status();
    };
    std::unique_ptr<Engine> engine = Engine::Open(std::move(o)).value();
    REQUIRE(engine->WriteRole("deploy", R"({"credential_type":"iam_user"})").ok());
    std::thread writer([&] {
      CHECK((root ? engine->WriteRootConfig(R"({"region":"eu-west-1"})")
                  : engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})")).ok());
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return holding; });
    }
    // The writer is inside the audit sink now. Everything else goes on.
    auto others = std::async(std::launch::async, [&] {
      Result<IssuedCredential> issued = engine->Issue("deploy");
      const bool renewed = issued.ok() && engine->Renew(issued->lease_id, 60s).ok();
      return issued.ok() && renewed && engine->ReadLeaseConfig().ok() && engine->ReadRootConfig().ok();
    });
    const bool went_on = others.wait_for(30s) == std::future_status::ready;
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
    writer.join();
    REQUIRE(went_on);
    CHECK(others.get());
    // And the write itself took effect once recorded.
    if (root) {
      CHECK(engine->ReadRootConfig()->find("eu-west-1") != std::string::npos);
    } else {
      CHECK(engine->ReadLeaseConfig()->find(R"("lease":"1h0m0s")") != std::string::npos);
    }
  }
}
