// Engine recovery with a fake provider and a test clock: intents around
// each issuance, rollback of dead issuances (only users tagged with their
// lease), tidy's orphan report and deletion, rotate-root with every failure
// and crash point, and an engine reopened on a durable store.
#include <doctest/doctest.h>

#include "core/recovery.h"
#include "dyncreds/engine.h"
#include "dyncreds/sqlite_lease_store.h"
#include "support/fake_clock.h"
#include "support/fake_iam_provider.h"
#include "support/temp_dir.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::FakeAwsError;
using dyncreds::testing::FakeClock;
using dyncreds::testing::FakeIamProvider;

namespace {

// Sees the store as it is while AWS is being called.
class ObservingProvider : public FakeIamProvider {
 public:
  using FakeIamProvider::FakeIamProvider;
  LeaseStore* store = nullptr;
  std::size_t intents_seen = 0;
  bool roll_back_meanwhile = false;  // as another process's recovery would

  Result<IssuedUserKey> CreateUserWithKey(const IamUserSpec& spec) override {
    std::vector<Intent> intents = *store->ListIntents("aws", TimePoint::max());
    intents_seen = intents.size();
    if (roll_back_meanwhile && !intents.empty()) store->DeleteIntent(intents[0].lease_id);
    return FakeIamProvider::CreateUserWithKey(spec);
  }
};

struct Fixture {
  FakeClock clock;
  ObservingProvider provider{&clock};
  std::unique_ptr<LeaseStore> owned_store;
  LeaseStore* store;
  std::unique_ptr<Engine> engine;

  explicit Fixture(LeaseStore* shared = nullptr) {
    if (shared == nullptr) owned_store = NewMemoryLeaseStore();
    store = shared ? shared : owned_store.get();
    provider.store = store;
    engine = Open();
    REQUIRE(engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
    REQUIRE(engine->WriteRole("sts", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  }

  std::unique_ptr<Engine> Open() {
    EngineOptions o = testing::FakeEngineOptions(&clock, &provider, store);
    o.revocation.intent_grace = 600s;
    o.revocation.recovery_interval = 60s;
    return Engine::Open(std::move(o)).value();
  }

  // A user as a dead issuance left it: created and tagged, its intent
  // committed, no lease.
  Intent DeadIssuance(const std::string& lease_id, const std::string& user, CredentialType type = CredentialType::kIamUser) {
    Intent intent{lease_id, "aws", "deploy", type, user, clock.Now(), {}, std::nullopt};
    REQUIRE(store->PutIntent(intent).ok());
    if (type == CredentialType::kIamUser) {
      IamUserSpec spec;
      spec.user_name = user;
      spec.tags = {{"dyncreds-lease", lease_id}, {"dyncreds-mount", "aws"}};
      REQUIRE(provider.FakeIamProvider::CreateUserWithKey(spec).ok());
    }
    return intent;
  }
};

std::size_t Count(const std::vector<std::string>& calls, const std::string& method) {
  return static_cast<std::size_t>(std::count(calls.begin(), calls.end(), method));
}

}  // namespace

TEST_CASE("lease ids: 128 bits, time-ordered prefix, random rest") {
  Fixture f;
  const std::string a = f.engine->Issue("deploy")->lease_id;
  f.clock.Advance(2ms);
  const std::string b = f.engine->Issue("deploy")->lease_id;
  const std::string prefix = "aws/creds/deploy/";
  REQUIRE(a.size() == prefix.size() + 32);
  CHECK(a < b);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(f.clock.Now().time_since_epoch()).count();
  char expected[13];
  std::snprintf(expected, sizeof expected, "%012llx", static_cast<unsigned long long>(ms));
  CHECK(b.substr(prefix.size(), 12) == expected);
  CHECK(a.substr(prefix.size() + 12) != b.substr(prefix.size() + 12));
}

TEST_CASE("an intent is committed before AWS is called and is gone once the lease is stored") {
  Fixture f;
  Result<IssuedCredential> c = f.engine->Issue("deploy");
  REQUIRE(c.ok());
  CHECK(f.provider.intents_seen == 1);
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
  CHECK(f.store->GetLease(c->lease_id).ok());
  // STS types are accounted for the same way.
  REQUIRE(f.engine->Issue("sts").ok());
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
}

TEST_CASE("a failed issuance removes its user and its intent; if cleanup fails the intent stays for recovery") {
  Fixture f;
  // AWS refused CreateUser: nothing can appear later, so the intent goes at once.
  f.provider.FailNext("CreateUserWithKey", FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403));
  Status s = f.engine->Issue("deploy").status();
  CHECK(s.message().find("nothing was left behind") != std::string::npos);
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());

  // AWS failed itself (or no reply came): the CreateUser may still land, so
  // the intent settles, and recovery looks again once it no longer can.
  f.provider.FailNext("CreateUserWithKey", FakeAwsError(ErrorCode::kAwsError, "ServiceFailure", 500));
  s = f.engine->Issue("deploy").status();
  CHECK(s.message().find("if the request lands late, recovery deletes the user") != std::string::npos);
  std::vector<Intent> settling = *f.store->ListIntents("aws", TimePoint::max());
  REQUIRE(settling.size() == 1);
  CHECK(settling[0].user_absent_at == f.clock.Now());
  f.clock.Advance(core::kLateRequestWindow);
  f.engine->Tick();
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());

  // The readiness check fails, and so does the first cleanup attempt.
  f.provider.SetPropagationFailures(1000);
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kAwsError, "ServiceFailure", 500));
  IssueOptions wait;
  wait.wait_until_usable = true;
  wait.usable_timeout = 1s;
  s = f.engine->Issue("deploy", wait).status();
  CHECK(s.code() == ErrorCode::kTimeout);
  CHECK(s.message().find("will be retried") != std::string::npos);
  REQUIRE(f.store->ListIntents("aws", TimePoint::max())->size() == 1);
  CHECK(f.provider.users().size() == 1);
  f.provider.SetPropagationFailures(0);

  // Within the grace period recovery leaves it alone; after it, rolls it back.
  f.engine->Tick();
  CHECK(f.provider.users().size() == 1);
  f.clock.Advance(601s);
  f.engine->Tick();
  CHECK(f.provider.users().empty());
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
}

TEST_CASE("recovery rolls back only what the intent's issuance made") {
  Fixture f;
  // A user with the planned name but someone else's (untagged, made before
  // the intent, more than the clock tolerance before): never touched.
  IamUserSpec alice;
  alice.user_name = "alice";
  REQUIRE(f.provider.FakeIamProvider::CreateUserWithKey(alice).ok());
  f.clock.Advance(301s);
  REQUIRE(f.store->PutIntent(Intent{"aws/creds/deploy/3", "aws", "deploy", CredentialType::kIamUser, "alice", f.clock.Now(), {}, std::nullopt}).ok());
  f.DeadIssuance("aws/creds/deploy/1", "vault-1");
  f.DeadIssuance("aws/creds/deploy/2", "vault-2", CredentialType::kFederationToken);
  // The intent never got as far as CreateUser.
  REQUIRE(f.store->PutIntent(Intent{"aws/creds/deploy/4", "aws", "deploy", CredentialType::kIamUser, "vault-4", f.clock.Now(), {}, std::nullopt}).ok());

  f.clock.Advance(601s);
  f.engine->Tick();
  auto users = f.provider.users();
  CHECK(users.count("vault-1") == 0);
  CHECK(users.count("alice") == 1);
  CHECK(Count(f.provider.calls(), "DeleteUser") == 1);  // vault-1 only
  // vault-4 was not there, but its CreateUser may still be on the wire:
  // the intent settles, and the late user, when it lands, is deleted.
  std::vector<Intent> left = *f.store->ListIntents("aws", TimePoint::max());
  REQUIRE(left.size() == 1);
  CHECK(left[0].lease_id == "aws/creds/deploy/4");
  IamUserSpec late;
  late.user_name = "vault-4";
  late.tags = {{"dyncreds-lease", "aws/creds/deploy/4"}, {"dyncreds-mount", "aws"}};
  f.clock.Advance(core::kLateRequestWindow - 1s);
  f.engine->Tick();  // still settling: not looked at
  REQUIRE(f.provider.FakeIamProvider::CreateUserWithKey(late).ok());
  CHECK(f.store->ListIntents("aws", TimePoint::max())->size() == 1);
  f.clock.Advance(60s);  // past the window and a recovery interval
  f.engine->Tick();
  CHECK(f.provider.users().count("vault-4") == 0);
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
  CHECK(Count(f.provider.calls(), "DeleteUser") == 2);
}

TEST_CASE("recovery retries on its interval, and an issuance rolled back under it fails cleanly") {
  Fixture f;
  f.DeadIssuance("aws/creds/deploy/1", "vault-1");
  f.clock.Advance(601s);
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400));
  f.engine->Tick();
  CHECK(f.provider.users().count("vault-1") == 1);
  f.clock.Advance(30s);
  f.engine->Tick();  // not yet: recovery runs every 60 s
  CHECK(f.provider.users().count("vault-1") == 1);
  f.clock.Advance(31s);
  f.engine->Tick();
  CHECK(f.provider.users().count("vault-1") == 0);

  f.provider.roll_back_meanwhile = true;
  Status s = f.engine->Issue("deploy").status();
  CHECK(s.code() == ErrorCode::kConflict);
  CHECK(s.message().find("rolled back") != std::string::npos);
  CHECK(f.provider.users().empty());
  CHECK(f.store->ListLeases("aws", "", "", 0)->empty());
}

TEST_CASE("tidy reports orphans, deletes them only when asked, and lists irrevocable leases") {
  Fixture f;
  IssuedCredential live = f.engine->Issue("deploy").value();
  auto make_user = [&](const std::string& name, Tags tags) {
    IamUserSpec spec;
    spec.user_name = name;
    spec.tags = std::move(tags);
    REQUIRE(f.provider.FakeIamProvider::CreateUserWithKey(spec).ok());
  };
  make_user("orphan", {{"dyncreds-lease", "aws/creds/deploy/gone"}, {"dyncreds-mount", "aws"}});
  make_user("other-mount", {{"dyncreds-lease", "eu/creds/deploy/x"}, {"dyncreds-mount", "eu"}});
  make_user("bob", {});
  f.DeadIssuance("aws/creds/deploy/dead", "vault-dead");
  f.clock.Advance(601s);  // the dead issuance is past its grace
  f.DeadIssuance("aws/creds/deploy/fresh", "vault-fresh");  // in flight: not an orphan

  Lease stuck = *f.store->GetLease(live.lease_id);
  stuck.id = "aws/creds/deploy/stuck";
  stuck.state = LeaseState::kIrrevocable;
  REQUIRE(f.store->PutLease(stuck).ok());

  TidyReport report = f.engine->Tidy().value();
  CHECK(report.rolled_back == std::vector<std::string>{"aws/creds/deploy/dead"});
  CHECK(report.orphans == std::vector<std::string>{"orphan"});
  CHECK(report.deleted.empty());
  CHECK(report.failed.empty());
  REQUIRE(report.irrevocable.size() == 1);
  CHECK(report.irrevocable[0].id == "aws/creds/deploy/stuck");
  CHECK(f.provider.users().count("orphan") == 1);

  TidyOptions remove;
  remove.delete_orphans = true;
  report = f.engine->Tidy(remove).value();
  CHECK(report.deleted == std::vector<std::string>{"orphan"});
  auto users = f.provider.users();
  CHECK(users.count("orphan") == 0);
  CHECK(users.count(live.user_name) == 1);
  CHECK(users.count("other-mount") == 1);
  CHECK(users.count("bob") == 1);
  CHECK(users.count("vault-fresh") == 1);
}

TEST_CASE("rotate-root: new key made, checked, stored, then the old one deleted") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"old-secret"})").ok());
  Result<std::string> rotated = f.engine->RotateRoot();
  REQUIRE_MESSAGE(rotated.ok(), rotated.status().ToString());
  CHECK(*rotated != "AKIAROOT0");
  CHECK(f.provider.own_keys() == std::vector<std::string>{*rotated});
  ConfigEntry root = *f.store->GetConfig("aws", "config/root");
  CHECK(root.json.find(*rotated) != std::string::npos);
  CHECK(root.secret.view() == "fake-root-secret-" + *rotated);
  CHECK(f.engine->ReadRootConfig()->find(*rotated) != std::string::npos);
  CHECK(f.store->GetConfig("aws", "config/root-rotation").status().code() == ErrorCode::kNotFound);
  const std::vector<std::string> calls = f.provider.calls();
  auto at = [&](const char* m) { return std::find(calls.begin(), calls.end(), m) - calls.begin(); };
  CHECK(at("CreateOwnAccessKey") < at("WhoAmI"));
  CHECK(at("WhoAmI") < at("DeleteOwnAccessKey"));
}

TEST_CASE("rotate-root failures keep the old key working and leave no extra key") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"old-secret"})").ok());

  f.provider.FailNext("CreateOwnAccessKey", FakeAwsError(ErrorCode::kConflict, "LimitExceeded", 409));
  CHECK(f.engine->RotateRoot().status().aws()->code == "LimitExceeded");
  CHECK(f.provider.own_keys() == std::vector<std::string>{"AKIAROOT0"});

  f.provider.FailNext("WhoAmI", FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403));
  Status s = f.engine->RotateRoot().status();
  CHECK(s.message().find("old key stays in use") != std::string::npos);
  CHECK(f.provider.own_keys() == std::vector<std::string>{"AKIAROOT0"});
  CHECK(f.store->GetConfig("aws", "config/root")->secret.view() == "old-secret");

  // Deleting the old key fails: the new key is stored; recovery finishes later.
  f.provider.FailNext("DeleteOwnAccessKey", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400));
  s = f.engine->RotateRoot().status();
  CHECK(s.message().find("will be retried") != std::string::npos);
  CHECK(f.provider.own_keys().size() == 2);
  CHECK(f.store->GetConfig("aws", "config/root")->secret.view() != "old-secret");
  f.clock.Advance(601s);
  f.engine->Tick();
  CHECK(f.provider.own_keys().size() == 1);
  CHECK(f.provider.own_keys()[0] != "AKIAROOT0");
  CHECK(f.store->GetConfig("aws", "config/root-rotation").status().code() == ErrorCode::kNotFound);

  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"","secret_key":""})").ok());
  CHECK(f.engine->RotateRoot().status().field() == "access_key");
}

TEST_CASE("a rotation interrupted before the new key was stored is undone by recovery") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"old-secret"})").ok());
  const auto ns = [&](TimePoint t) { return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()); };

  SUBCASE("the new key's id was recorded") {
    const std::string leaked = f.provider.CreateOwnAccessKey()->credentials.access_key_id();
    REQUIRE(f.store->PutConfig("aws", "config/root-rotation", ConfigEntry{
        R"({"old_access_key":"AKIAROOT0","new_access_key":")" + leaked + R"(","started_at_ns":)" + ns(f.clock.Now()) + "}",
        SecretString()}).ok());
  }
  SUBCASE("the process died inside CreateAccessKey") {
    REQUIRE(f.store->PutConfig("aws", "config/root-rotation", ConfigEntry{
        R"({"old_access_key":"AKIAROOT0","new_access_key":"","started_at_ns":)" + ns(f.clock.Now()) + "}",
        SecretString()}).ok());
    f.clock.Advance(1s);
    REQUIRE(f.provider.CreateOwnAccessKey().ok());
  }
  CHECK(f.provider.own_keys().size() == 2);
  f.engine->Tick();  // within the grace period: another process may be rotating
  CHECK(f.provider.own_keys().size() == 2);
  f.clock.Advance(601s);
  f.engine->Tick();
  CHECK(f.provider.own_keys() == std::vector<std::string>{"AKIAROOT0"});
  CHECK(f.store->GetConfig("aws", "config/root").value().secret.view() == "old-secret");
  CHECK(f.store->GetConfig("aws", "config/root-rotation").status().code() == ErrorCode::kNotFound);
}

TEST_CASE("an engine reopened on a durable store has its root, and revokes what expired while it was down") {
  testing::TempDir dir;
  SqliteStoreOptions options;
  options.path = dir.File("leases.db");
  options.encryption_key = SecretString(std::string(32, 'k'));
  options.key_from_environment = false;
  auto store = OpenSqliteLeaseStore(options).value();
  Fixture f(store.get());
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"old-secret","region":"eu-west-1"})").ok());
  IssueOptions short_lived;
  short_lived.ttl = 60s;
  IssuedCredential c = f.engine->Issue("deploy", short_lived).value();
  f.engine.reset();
  store.reset();

  f.clock.Advance(2h);  // down for two hours
  store = OpenSqliteLeaseStore(options).value();
  f.store = store.get();
  f.engine = f.Open();
  CHECK(f.engine->ReadRootConfig()->find("eu-west-1") != std::string::npos);
  CHECK(f.engine->ReadRole("deploy").ok());
  CHECK(f.engine->Tick() == 1);
  CHECK(f.provider.users().count(c.user_name) == 0);
  CHECK(f.engine->Lookup(c.lease_id).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("without a store key, a root secret is refused with advice and nothing changes") {
  testing::TempDir dir;
  SqliteStoreOptions options;
  options.path = dir.File("leases.db");
  options.key_from_environment = false;
  auto store = OpenSqliteLeaseStore(options).value();
  Fixture f(store.get());
  Status s = f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"s3cr3t"})");
  CHECK(s.code() == ErrorCode::kEncryptionKey);
  CHECK(s.message().find("DYNCREDS_STORE_KEY") != std::string::npos);
  CHECK(f.engine->ReadRootConfig()->find("AKIAROOT0") == std::string::npos);
  CHECK(f.store->GetConfig("aws", "config/root").status().code() == ErrorCode::kNotFound);
}

TEST_CASE("untagged users (iam:TagUser denied): recovery proves ownership by name and creation time") {
  Fixture f;
  f.provider.DenyTagging();
  // A dead issuance whose user was made, untagged, after its intent.
  Intent intent{"aws/creds/deploy/u1", "aws", "deploy", CredentialType::kIamUser, "vault-u1", f.clock.Now(), {}, std::nullopt};
  REQUIRE(f.store->PutIntent(intent).ok());
  f.clock.Advance(2s);
  f.provider.PutUntaggedUser("vault-u1", f.clock.Now());
  f.clock.Advance(601s);
  f.engine->Tick();
  CHECK(f.provider.users().count("vault-u1") == 0);
  CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());

  // Issuance works untagged, and its revocation deletes the user.
  Result<IssuedCredential> c = f.engine->Issue("deploy");
  REQUIRE(c.ok());
  CHECK(f.provider.users().at(c->user_name).tags.empty());
  REQUIRE(f.engine->Revoke(c->lease_id).ok());
  CHECK(f.provider.users().empty());
}

TEST_CASE("a user name another lease of the mount holds is never issued again") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"s","username_template":"vault-fixed"})").ok());
  IssuedCredential first = f.engine->Issue("deploy").value();
  CHECK(first.user_name == "vault-fixed");
  Status again = f.engine->Issue("deploy").status();
  CHECK(again.code() == ErrorCode::kConflict);
  CHECK(again.message().find("is held by another lease") != std::string::npos);
  CHECK(f.engine->Lookup(first.lease_id).ok());
  CHECK(f.provider.users().size() == 1);
}
