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

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "core/recovery.h"
#include "dyncreds/engine.h"
#include "dyncreds/sqlite_lease_store.h"
#include "dyncreds/curl_transport.h"
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
  const bool tagged;
  AwsCredentials root;
  std::chrono::steady_clock::time_point killed_at;  // when KillAt sent SIGKILL
  std::string held_action;                          // the call KillAt left held

  // `tagged`: the root user may also iam:TagUser; else users are untagged
  // and recovery proves ownership by name and creation time.
  explicit Fixture(bool tagged_users = true) : tagged(tagged_users) {
    aws.Reset();
    setenv("DYNCREDS_STORE_KEY", kStoreKey, 1);  // the helper inherits it
    auto transport = NewCurlTransport();
    auto iam = aws.NewClient("iam", transport.get());
    REQUIRE(iam->Call(aws::QueryRequest("CreateGroup", aws::kIamApiVersion).Add("GroupName", "devs"),
                      aws.AdminCredentials()).ok());
    // The seeds' policy, plus membership of group devs (IAM checks
    // AddUserToGroup against the group), federation tokens and role deploy
    // (for the STS cases) and iam:ListUsers (for tidy), as the README's
    // policies for those features add.
    root = aws.SeedsRoot(R"([{"Effect":"Allow","Action":["iam:AddUserToGroup","iam:RemoveUserFromGroup"],
        "Resource":"arn:aws:iam::*:group/devs"},
        {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::*:federated-user/*"},
        {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/deploy"},
        {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"})" +
        std::string(tagged ? R"(,{"Effect":"Allow","Action":"iam:TagUser","Resource":"arn:aws:iam::*:user/vault-*"}])" : "]"));
    Open();
    const std::string secret(root.secret_access_key().view());
    REQUIRE(engine->WriteRootConfig(R"({"access_key":")" + root.access_key_id() +
                                    R"(","secret_key":")" + secret + R"(","iam_endpoint":")" + aws.iam_url() +
                                    R"(","sts_endpoint":")" + aws.sts_url() + R"("})").ok());
    REQUIRE(engine->WriteRole("deploy", R"({"credential_type":"iam_user",
        "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
        "policy_document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]},
        "iam_groups":"devs"})").ok());
    Close();
  }

  // A new engine on the store, as a restarted application would open it,
  // with the default grace period: the helper's intents are rolled back
  // because their owner is provably dead, not because they are old.
  Engine& Open(std::chrono::seconds intent_grace = EngineOptions().revocation.intent_grace) {
    SqliteStoreOptions options;
    options.path = store_path;  // the key comes from DYNCREDS_STORE_KEY, as for the helper
    store = OpenSqliteLeaseStore(std::move(options)).value();
    EngineOptions o;
    o.store = store.get();
    clock = std::make_unique<testing::FakeClock>(std::chrono::system_clock::now());
    clock->SleepsForReal();  // waits for key propagation take real time
    o.clock = clock.get();
    o.revocation.background_worker = false;
    o.revocation.intent_grace = intent_grace;
    engine = Engine::Open(std::move(o)).value();
    return *engine;
  }

  void Close() {
    engine.reset();
    store.reset();
  }

  // Runs the helper until a delay fault holds it at the nth `action` call
  // (`when` AWS runs it: "before" or "after"), kills it, and returns what
  // it printed. The held call stays held until LandHeldCall.
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
    killed_at = std::chrono::steady_clock::now();
    CHECK(helper.Wait() == 128 + SIGKILL);
    held_action = action;
    return helper.Output();
  }

  // Lets the killed helper's held call go on, as AWS may still run a
  // request whose sender died, and waits until it has (its reply goes
  // into a closed connection).
  void LandHeldCall() {
    aws.ClearFaults();
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    auto landed = [&] {
      rapidjson::Document calls = aws.Calls();
      for (const auto& call : calls["calls"].GetArray()) {
        if (call["action"] == held_action.c_str() && call["fault"].IsString() && call["fault"] == "delay") return true;
      }
      return false;
    };
    while (!landed()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(5ms);
    }
  }

  // The endpoint's IAM users other than the administrator: name -> lease tag.
  std::map<std::string, std::string> Users() {
    std::map<std::string, std::string> users;
    rapidjson::Document state = aws.State();
    for (const auto& u : state["users"].GetArray()) {
      const std::string name = u["name"].GetString();
      if (name == "admin" || name == "vault-root") continue;
      auto tag = u["tags"].FindMember("dyncreds-lease");
      users[name] = tag == u["tags"].MemberEnd() ? "" : tag->value.GetString();
    }
    return users;
  }

  // Every IAM user belongs to a lease in the store, or to an intent that
  // recovery still holds (by its lease tag when tagged, else by user name).
  void CheckEveryUserHasALease() {
    std::vector<Lease> leases = engine->ListLeases().value();
    std::vector<Intent> intents = store->ListIntents("aws", TimePoint::max()).value();
    for (const auto& [name, lease] : Users()) {
      CAPTURE(name);
      const bool has_intent = std::any_of(intents.begin(), intents.end(), [&](const Intent& i) {
        return i.user_name == name && (!tagged || i.lease_id == lease);
      });
      if (has_intent) continue;
      if (tagged) CHECK(engine->Lookup(lease).ok());
      CHECK(std::any_of(leases.begin(), leases.end(), [&](const Lease& l) { return l.user_name == name; }));
    }
  }

  void AdvancePast(TimePoint t) { clock->Advance(t - clock->Now() + 1s); }

  // Moves time on by minutes for the engine and the endpoint alike, so what
  // the engine signs with its clock stays within the signature window.
  void AdvanceEverything(std::chrono::seconds by) {
    clock->Advance(by);
    const auto ahead = std::chrono::duration_cast<std::chrono::seconds>(clock->Now() - std::chrono::system_clock::now());
    aws.Configure(R"({"advance_seconds": )" + std::to_string(by.count()) + R"(, "skew_seconds": )" +
                  std::to_string(ahead.count()) + "}");
  }

  std::vector<std::string> RootKeys() {
    std::vector<std::string> keys;
    rapidjson::Document state = aws.State();
    for (const auto& u : state["users"].GetArray()) {
      if (std::string(u["name"].GetString()) != "vault-root") continue;
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
  for (const bool tagged : {true, false}) {
  for (std::string action : {"CreateUser", "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup", "CreateAccessKey",
                             "GetCallerIdentity"}) {
    for (std::string when : kWhen) {
      CAPTURE(tagged);
      CAPTURE(action);
      CAPTURE(when);
      Fixture f(tagged);
      // The kill point is found by counting calls; readiness retries while a
      // new key propagates would make GetCallerIdentity's count vary, so
      // keys work at once here (the other cases keep the delay).
      f.aws.Configure(R"({"key_propagation_seconds": 0})");
      // Two issuances, one second each; the second is held and killed.
      // Untagged, the first issuance also made a denied tagged CreateUser
      // (a "before" fault counts it; an "after" one never sees it).
      const int nth = !tagged && action == "CreateUser" && when == "before" ? 3 : 2;
      const std::string output = f.KillAt(action, when, nth, {"issue", "deploy", "2", "1"});
      const std::vector<std::string> committed = LeasesPrinted(output);
      REQUIRE(committed.size() == 1);

      // Opening rolls back the dead issuance (its owner is gone) while the
      // call it was killed in is still held: the worst case, for a held
      // CreateUser lands after the rollback has looked for its user.
      Engine& engine = f.Open();
      const auto rolled_back_in = std::chrono::steady_clock::now() - f.killed_at;
      const bool user_was_pending = action == "CreateUser" && when == "before";
      // A user that was not there yet keeps its intent, until the request can no longer land.
      CHECK(f.store->ListIntents("aws", TimePoint::max())->size() == (user_was_pending ? 1 : 0));
      MESSAGE("killed at " << action << " (" << when << std::string(tagged ? ", tagged" : ", untagged") << "): "
              << std::string(user_was_pending ? "settling" : "rolled back") << " "
              << std::chrono::duration_cast<std::chrono::milliseconds>(rolled_back_in).count()
              << " ms after SIGKILL, on the next open");
      f.LandHeldCall();
      f.CheckEveryUserHasALease();
      CHECK(f.Users().size() == (user_was_pending ? 2 : 1));  // the late CreateUser made one
      Result<Lease> kept = engine.Lookup(committed[0]);
      REQUIRE(kept.ok());

      // Past the late-request window (and the kept lease's expiry): the
      // settled intent's user is deleted, and the kept lease revoked.
      f.AdvanceEverything(core::kLateRequestWindow);
      CHECK(engine.Tick() == 1);
      CHECK(f.Users().empty());
      CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
      CHECK(engine.ListLeases()->empty());
    }
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
      f.LandHeldCall();

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

TEST_CASE("killed at any step of revoke-prefix or force-revoke: every user left still has its lease") {
  for (std::string op : {"revoke-prefix", "force"}) {
    for (std::string action : {"ListAccessKeys", "DeleteAccessKey", "DetachUserPolicy", "DeleteUserPolicy",
                               "RemoveUserFromGroup", "DeleteUser"}) {
      for (std::string when : kWhen) {
        CAPTURE(op);
        CAPTURE(action);
        CAPTURE(when);
        Fixture f;
        Engine& opened = f.Open();
        std::vector<std::string> ids;
        for (int i = 0; i < 3; ++i) ids.push_back(opened.Issue("deploy")->lease_id);
        f.Close();

        // Killed in the middle of the second lease's teardown (revocation runs in parallel,
        // so the kill may find others done or not started: each must be whole).
        f.KillAt(action, when, 2, {op, "aws/creds/deploy/"});
        f.LandHeldCall();

        Engine& engine = f.Open();
        f.CheckEveryUserHasALease();
        REQUIRE(engine.RevokePrefix("aws/creds/deploy/", nullptr).ok());  // what is left still revokes
        CHECK(f.Users().empty());
        CHECK(engine.ListLeases()->empty());
      }
    }
  }
}

TEST_CASE("killed at any step of tidy's orphan deletion: the next tidy finishes it, and live leases are kept") {
  for (std::string action : {"ListAccessKeys", "DeleteAccessKey", "DetachUserPolicy", "DeleteUserPolicy",
                             "RemoveUserFromGroup", "DeleteUser"}) {
    for (std::string when : kWhen) {
      CAPTURE(action);
      CAPTURE(when);
      Fixture f;  // tagged users; the root may also iam:ListUsers (the README's "+ tidy")
      Engine& opened = f.Open();
      const std::string live = opened.Issue("deploy")->lease_id;
      for (int i = 0; i < 2; ++i) {  // users whose leases are lost: orphans
        const std::string lost = opened.Issue("deploy")->lease_id;
        REQUIRE(f.store->DeleteLease(lost).ok());
      }
      f.Close();

      f.KillAt(action, when, 1, {"tidy-delete"});
      f.LandHeldCall();

      Engine& engine = f.Open();
      TidyOptions tidy;
      tidy.delete_orphans = true;
      Result<TidyReport> report = engine.Tidy(tidy);
      REQUIRE_MESSAGE(report.ok(), report.status().ToString());
      CHECK(report->failed.empty());
      CHECK(f.Users().size() == 1);  // only the live lease's user is left
      CHECK(engine.Lookup(live).ok());
      f.CheckEveryUserHasALease();
    }
  }
}

TEST_CASE("killed at STS issuance of each type: no lease and no intent is left, before or after STS answered") {
  const std::pair<const char*, const char*> kinds[] = {
      {"federation_token", "GetFederationToken"}, {"session_token", "GetSessionToken"}, {"assumed_role", "AssumeRole"}};
  for (const auto& [type, action] : kinds) {
  for (std::string when : kWhen) {
    CAPTURE(std::string(type));
    CAPTURE(when);
    Fixture f;
    auto transport = NewCurlTransport();
    auto iam = f.aws.NewClient("iam", transport.get());
    const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]})";
    REQUIRE(iam->Call(aws::QueryRequest("CreateRole", aws::kIamApiVersion).Add("RoleName", "deploy")
                          .Add("AssumeRolePolicyDocument", trust), f.aws.AdminCredentials()).ok());
    Engine& opened = f.Open();
    REQUIRE(opened.WriteRole("sts", std::string(R"({"credential_type":")") + type + R"(")" +
                                        (std::string(type) == "assumed_role"
                                             ? R"(,"role_arns":"arn:aws:iam::)" + f.aws.account_id() + R"(:role/deploy"})"
                                             : std::string(type) == "federation_token"
                                                   ? R"(,"policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})"
                                                   : "}")).ok());
    f.Close();
    f.KillAt(action, when, 1, {"issue", "sts", "1", "900"});
    f.LandHeldCall();
    Engine& engine = f.Open();  // the dead issuance's intent is rolled back on open
    CHECK(f.store->ListIntents("aws", TimePoint::max())->empty());
    CHECK(engine.ListLeases()->empty());  // STS credentials cannot be recalled; they expire by themselves
  }
  }
}

TEST_CASE("killed at any step of rotate-root: one root key remains, it is the stored one, and it works") {
  for (std::string action : {"CreateAccessKey", "GetCallerIdentity", "DeleteAccessKey"}) {
    for (std::string when : kWhen) {
      CAPTURE(action);
      CAPTURE(when);
      Fixture f;
      const std::string original = f.root.access_key_id();
      f.KillAt(action, when, 1, {"rotate-root"});
      f.LandHeldCall();

      // An interrupted rotation records no owner: it waits for the grace period.
      Engine& engine = f.Open(/*intent_grace=*/0s);
      engine.Tick();  // recovery finishes or undoes the rotation
      const std::vector<std::string> keys = f.RootKeys();
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
      CHECK(f.RootKeys().size() == 1);
    }
  }
}

TEST_CASE("no secret access key, session token or root secret is in the database or its WAL") {
  Fixture f;
  Engine& engine = f.Open();
  REQUIRE(engine.WriteRole("fed", R"({"credential_type":"federation_token",
      "policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  std::vector<std::string> secrets = {std::string(f.root.secret_access_key().view())};
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

TEST_CASE("a killed issuance is undone in seconds: by a running worker's next tick, or by the first tidy") {
  for (const bool worker : {true, false}) {
    CAPTURE(worker);
    Fixture f;
    // This engine is open before the helper starts, as `dyncreds run` (or a
    // host application) would be: only its worker or a tidy can notice.
    SqliteStoreOptions options;
    options.path = f.store_path;
    std::unique_ptr<LeaseStore> store = OpenSqliteLeaseStore(std::move(options)).value();
    EngineOptions o;
    o.store = store.get();
    o.revocation.background_worker = worker;
    o.revocation.poll_interval = 250ms;
    std::unique_ptr<Engine> running = Engine::Open(std::move(o)).value();

    f.KillAt("AttachUserPolicy", "after", 1, {"issue", "deploy", "1", "1"});
    f.LandHeldCall();
    REQUIRE(f.Users().size() == 1);  // the dead issuance's user
    if (worker) {
      const auto deadline = f.killed_at + 30s;
      // Done when the user is gone and then its intent (deleted after the user).
      while ((!f.Users().empty() || !store->ListIntents("aws", TimePoint::max())->empty()) &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
      }
    } else {
      Result<TidyReport> report = running->Tidy({});
      REQUIRE_MESSAGE(report.ok(), report.status().ToString());
      CHECK(report->rolled_back.size() == 1);
      CHECK(report->failed.empty());
    }
    const auto took = std::chrono::steady_clock::now() - f.killed_at;
    CHECK(f.Users().empty());
    CHECK(store->ListIntents("aws", TimePoint::max())->empty());
    MESSAGE(std::string(worker ? "worker (poll 250 ms)" : "first tidy") << ": SIGKILL to rollback "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms (intent_grace is 600 s)");
  }
}
