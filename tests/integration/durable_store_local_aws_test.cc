// The SQLite store against the local endpoint. No secret reaches its files.
// Crash safety, end to end: a separate process (crash_helper) issues,
// revokes or rotates the root key against the local endpoint, held at one
// AWS call by a delay fault and killed there with SIGKILL. A new engine on
// the same store must then leave no IAM user without a lease, keep every
// lease committed before the kill and revoke it at its expiry, and leave
// exactly one working root key.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <map>
#include <sstream>
#include <thread>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/engine.h"
#include "dyncreds/sqlite_lease_store.h"
#include "support/child_process.h"
#include "support/fake_clock.h"
#include "support/local_aws.h"
#include "support/temp_dir.h"
#include "support/test_data.h"

using namespace dyncreds;
using namespace std::chrono_literals;
using dyncreds::testing::ChildProcess;
using dyncreds::testing::LocalAws;

namespace {

const char kStoreKey[] = "Y3Jhc2gtdGVzdHMtc3RvcmUta2V5LTMyLWJ5dGVzISE=";  // 32 bytes, base64

struct Fixture {
  LocalAws aws = LocalAws::FromEnvironment();
  testing::TempDir dir;
  const std::string store_path = dir.File("leases.db");
  // Starts at the real time when an engine opens (AWS calls are signed
  // with it) and is moved on by the test to make leases expire.
  std::unique_ptr<testing::FakeClock> clock;
  std::unique_ptr<LeaseStore> store;
  std::unique_ptr<Engine> engine;

  Fixture() {
    aws.Reset();
    setenv("DYNCREDS_STORE_KEY", kStoreKey, 1);  // the helper inherits it
    auto transport = NewCurlTransport();
    auto iam = aws.NewClient("iam", transport.get());
    REQUIRE(iam->Call(aws::QueryRequest("CreateGroup", aws::kIamApiVersion).Add("GroupName", "devs"),
                      aws.AdminCredentials()).ok());
    Open();
    const std::string secret(aws.AdminCredentials().secret_access_key().view());
    REQUIRE(engine->WriteRootConfig(R"({"access_key":")" + aws.AdminCredentials().access_key_id() +
                                    R"(","secret_key":")" + secret + R"(","iam_endpoint":")" + aws.url() +
                                    R"(","sts_endpoint":")" + aws.url() + R"("})").ok());
    REQUIRE(engine->WriteRole("deploy", R"({"credential_type":"iam_user",
        "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
        "policy_document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]},
        "iam_groups":"devs"})").ok());
    Close();
  }

  // A new engine on the store, as a restarted application would open it,
  // with no grace period: whatever is in flight died with the helper.
  Engine& Open() {
    SqliteStoreOptions options;
    options.path = store_path;  // the key comes from DYNCREDS_STORE_KEY, as for the helper
    store = OpenSqliteLeaseStore(std::move(options)).value();
    EngineOptions o;
    o.store = store.get();
    clock = std::make_unique<testing::FakeClock>(std::chrono::system_clock::now());
    o.clock = clock.get();
    o.revocation.background_worker = false;
    o.revocation.intent_grace = 0s;
    engine = Engine::Open(std::move(o)).value();
    return *engine;
  }

  void Close() {
    engine.reset();
    store.reset();
  }

  // Runs the helper until a delay fault holds it at the nth `action` call
  // (`when` AWS runs it: "before" or "after"), kills it, and returns what
  // it printed.
  std::string KillAt(const std::string& action, const std::string& when, int nth, std::vector<std::string> args) {
    const int fault = aws.AddFault(R"({"action":")" + action + R"(","fault":"delay","delay_ms":60000,"when":")" + when +
                                   R"(","nth":)" + std::to_string(nth) + "}");
    args.insert(args.begin(), {DYNCREDS_CRASH_HELPER, store_path});
    ChildProcess helper(args);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (aws.FaultHits(fault) == 0) {
      REQUIRE_MESSAGE(helper.Running(), "the helper ended before reaching " << action << ": " << helper.Output());
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(5ms);
    }
    helper.Kill(SIGKILL);
    CHECK(helper.Wait() == 128 + SIGKILL);
    aws.ClearFaults();  // lets the held call finish into a closed connection
    return helper.Output();
  }

  // The endpoint's IAM users other than the administrator: name -> lease tag.
  std::map<std::string, std::string> Users() {
    std::map<std::string, std::string> users;
    rapidjson::Document state = aws.State();
    for (const auto& u : state["users"].GetArray()) {
      const std::string name = u["name"].GetString();
      if (name == "admin") continue;
      auto tag = u["tags"].FindMember("dyncreds-lease");
      users[name] = tag == u["tags"].MemberEnd() ? "" : tag->value.GetString();
    }
    return users;
  }

  // Every IAM user belongs to a lease in the store.
  void CheckEveryUserHasALease() {
    for (const auto& [name, lease] : Users()) {
      CAPTURE(name);
      CHECK(engine->Lookup(lease).ok());
    }
  }

  void AdvancePast(TimePoint t) { clock->Advance(t - clock->Now() + 1s); }

  std::vector<std::string> AdminKeys() {
    std::vector<std::string> keys;
    rapidjson::Document state = aws.State();
    for (const auto& u : state["users"].GetArray()) {
      if (std::string(u["name"].GetString()) != "admin") continue;
      for (const auto& k : u["access_keys"].GetArray()) keys.push_back(k["id"].GetString());
    }
    return keys;
  }
};

std::vector<std::string> LeasesPrinted(const std::string& output) {
  std::vector<std::string> leases;
  std::istringstream lines(output);
  for (std::string word, id; lines >> word >> id;) {
    if (word == "lease") leases.push_back(id);
  }
  return leases;
}

const char* const kWhen[] = {"before", "after"};

}  // namespace

TEST_CASE("killed at any step of issuance: no user without a lease; earlier leases kept, then revoked at expiry") {
  for (std::string action : {"CreateUser", "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup", "CreateAccessKey",
                             "GetCallerIdentity"}) {
    for (std::string when : kWhen) {
      CAPTURE(action);
      CAPTURE(when);
      Fixture f;
      // Two issuances, one second each; the second is held and killed.
      const std::string output = f.KillAt(action, when, 2, {"issue", "deploy", "2", "1"});
      const std::vector<std::string> committed = LeasesPrinted(output);
      REQUIRE(committed.size() == 1);

      Engine& engine = f.Open();
      engine.Tick();  // recovery: the dead issuance is rolled back
      f.CheckEveryUserHasALease();
      CHECK(f.Users().size() == 1);
      CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
      Result<Lease> kept = engine.Lookup(committed[0]);
      REQUIRE(kept.ok());

      f.AdvancePast(kept->expires_at);
      CHECK(engine.Tick() == 1);
      CHECK(f.Users().empty());
      CHECK(engine.ListLeases()->empty());
    }
  }
}

TEST_CASE("killed at any step of revocation: the lease stays until the user is really gone") {
  for (std::string action : {"ListAccessKeys", "DeleteAccessKey", "DetachUserPolicy", "DeleteUserPolicy",
                             "RemoveUserFromGroup", "DeleteUser"}) {
    for (std::string when : kWhen) {
      CAPTURE(action);
      CAPTURE(when);
      Fixture f;
      IssueOptions o;
      o.ttl = 1s;
      Lease lease = f.Open().Lookup(f.engine->Issue("deploy", o)->lease_id).value();
      f.Close();

      f.KillAt(action, when, 1, {"revoke", lease.id});

      Engine& engine = f.Open();
      CHECK(engine.Lookup(lease.id).ok());
      f.CheckEveryUserHasALease();
      f.AdvancePast(lease.expires_at);
      CHECK(engine.Tick() == 1);
      CHECK(f.Users().empty());
      CHECK(engine.Lookup(lease.id).status().code() == ErrorCode::kNotFound);
    }
  }
}

TEST_CASE("killed at any step of rotate-root: one root key remains, it is the stored one, and it works") {
  for (std::string action : {"CreateAccessKey", "GetCallerIdentity", "DeleteAccessKey"}) {
    for (std::string when : kWhen) {
      CAPTURE(action);
      CAPTURE(when);
      Fixture f;
      const std::string original = f.aws.AdminCredentials().access_key_id();
      f.KillAt(action, when, 1, {"rotate-root"});

      Engine& engine = f.Open();
      engine.Tick();  // recovery finishes or undoes the rotation
      const std::vector<std::string> keys = f.AdminKeys();
      REQUIRE(keys.size() == 1);
      CHECK(engine.ReadRootConfig()->find(keys[0]) != std::string::npos);
      // The rotation got as far as storing the new key only once CreateAccessKey had answered.
      if (action == "DeleteAccessKey") CHECK(keys[0] != original);
      if (action == "CreateAccessKey") CHECK(keys[0] == original);
      // The stored key works: an issuance succeeds with it.
      Result<IssuedCredential> c = engine.Issue("deploy");
      CHECK_MESSAGE(c.ok(), c.status().ToString());
      // And a later rotation starts from a clean slate.
      CHECK(engine.RotateRoot().ok());
      CHECK(f.AdminKeys().size() == 1);
    }
  }
}

TEST_CASE("no secret access key, session token or root secret is in the database or its WAL") {
  Fixture f;
  Engine& engine = f.Open();
  REQUIRE(engine.WriteRole("fed", R"({"credential_type":"federation_token",
      "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  std::vector<std::string> secrets = {std::string(f.aws.AdminCredentials().secret_access_key().view())};
  std::vector<std::string> key_ids;
  for (const char* role : {"deploy", "deploy", "fed"}) {
    IssueOptions o;
    o.wait_until_usable = std::string(role) == "deploy";
    Result<IssuedCredential> c = engine.Issue(role, o);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    secrets.emplace_back(c->credentials.secret_access_key().view());
    if (!c->credentials.session_token().empty()) secrets.emplace_back(c->credentials.session_token().view());
    key_ids.push_back(c->credentials.access_key_id());
  }
  REQUIRE(secrets.size() == 5);
  auto check_files = [&](bool with_wal) {
    std::string bytes = testing::ReadFile(f.store_path);
    if (with_wal) bytes += testing::ReadFile(f.store_path + "-wal");
    for (const std::string& id : key_ids) CHECK(bytes.find(id) != std::string::npos);  // the search finds what is there
    for (const std::string& secret : secrets) CHECK(bytes.find(secret) == std::string::npos);
  };
  check_files(true);  // while open: the WAL holds the recent commits
  f.Close();          // the last close checkpoints into the database file
  check_files(false);
}
