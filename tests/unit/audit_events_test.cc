// The engine's log lines and audit events: the exact events of a lifecycle,
// of each kind of revocation and of failures, log lines from the worker, a
// failing audit function, and that no secret reaches either.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

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

struct Recorder {
  std::mutex mu;
  std::vector<AuditEvent> events;
  std::vector<std::pair<LogLevel, std::string>> lines;
  Status audit_result;  // what the audit function answers

  std::vector<std::string> Operations() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> out;
    for (const AuditEvent& e : events) out.push_back(e.operation + (e.reason.empty() ? "" : ":" + e.reason));
    return out;
  }
  AuditEvent Last() {
    std::lock_guard<std::mutex> lock(mu);
    REQUIRE(!events.empty());
    return events.back();
  }
  // Every event as JSON and every log line, one after another.
  std::string Everything() {
    std::lock_guard<std::mutex> lock(mu);
    std::string all;
    for (const AuditEvent& e : events) all += e.ToJson() + "\n";
    for (const auto& [level, line] : lines) all += line + "\n";
    return all;
  }
};

struct Fixture {
  FakeClock clock;
  FakeIamProvider provider{&clock};
  Recorder recorder;
  std::unique_ptr<Engine> engine;

  explicit Fixture(LogLevel log_level = LogLevel::kInfo, bool fail_open = false) {
    EngineOptions o = FakeEngineOptions(&clock, &provider);
    o.revocation.max_attempts = 2;
    o.log_level = log_level;
    o.audit_fail_open = fail_open;
    o.log = [this](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> lock(recorder.mu);
      recorder.lines.emplace_back(level, std::string(line));
    };
    o.audit = [this](const AuditEvent& e) {
      std::lock_guard<std::mutex> lock(recorder.mu);
      recorder.events.push_back(e);
      return recorder.audit_result;
    };
    engine = Engine::Open(std::move(o)).value();
  }
};

const char kUserRole[] = R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})";

}  // namespace

TEST_CASE("a lifecycle gives one audit event per operation, with the identity AWS made") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"root-secret-value"})").ok());
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  IssuedCredential c = f.engine->Issue("deploy").value();
  REQUIRE(f.engine->Renew(c.lease_id, 30min).ok());
  REQUIRE(f.engine->Revoke(c.lease_id).ok());
  REQUIRE(f.engine->DeleteRole("deploy").ok());

  CHECK(f.recorder.Operations() == std::vector<std::string>{"config.write", "config.write", "role.write", "creds.issue",
                                                            "lease.renew", "lease.revoke:manual", "role.delete"});
  std::vector<AuditEvent> events = f.recorder.events;
  CHECK(events[0].path == "aws/config/root");
  CHECK(events[0].access_key_id == "AKIAROOT0");
  CHECK(events[1].path == "aws/config/lease");
  CHECK(events[2].path == "aws/roles/deploy");
  CHECK(events[2].role == "deploy");
  const AuditEvent& issued = events[3];
  CHECK(issued.path == "aws/creds/deploy");
  CHECK(issued.lease_id == c.lease_id);
  CHECK(issued.user_name == c.user_name);
  CHECK(issued.arn == c.arn);
  CHECK(issued.access_key_id == c.credentials.access_key_id());
  CHECK(issued.status.ok());
  for (const AuditEvent& e : events) {
    CHECK(e.mount == "aws");
    CHECK(e.time == f.clock.Now());
    CHECK(e.status.ok());
  }
  for (int i : {4, 5}) {
    CHECK(events[static_cast<std::size_t>(i)].path == c.lease_id);
    CHECK(events[static_cast<std::size_t>(i)].user_name == c.user_name);
    CHECK(events[static_cast<std::size_t>(i)].access_key_id == c.credentials.access_key_id());
  }

  const std::string all = f.recorder.Everything();
  CHECK(all.find("root-secret-value") == std::string::npos);
  CHECK(all.find(std::string(c.credentials.secret_access_key().view())) == std::string::npos);
  CHECK(all.find(c.credentials.access_key_id()) != std::string::npos);  // the search can find what is there
}

TEST_CASE("audit events as JSON: fields, outcome, and AWS's error code and request id") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  Status aws = FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403);
  f.provider.FailNext("CreateUserWithKey", aws);
  REQUIRE_FALSE(f.engine->Issue("deploy").ok());

  AuditEvent failed = f.recorder.Last();
  CHECK(failed.operation == "creds.issue");
  CHECK(failed.status.code() == ErrorCode::kPermissionDenied);
  rapidjson::Document doc;
  REQUIRE_FALSE(doc.Parse(failed.ToJson().c_str()).HasParseError());
  CHECK(std::string(doc["operation"].GetString()) == "creds.issue");
  CHECK(std::string(doc["role"].GetString()) == "deploy");
  CHECK(std::string(doc["outcome"].GetString()) == "failure");
  CHECK(std::string(doc["error"]["code"].GetString()) == "permission_denied");
  CHECK(std::string(doc["error"]["aws_code"].GetString()) == "AccessDenied");
  CHECK(std::string(doc["error"]["request_id"].GetString()) == aws.aws()->request_id);
  CHECK_FALSE(doc.HasMember("lease_id"));  // empty fields are left out
  const std::string time = doc["time"].GetString();
  CHECK(time.size() == 24);  // 2026-01-01T00:00:00.000Z
  CHECK(time.back() == 'Z');

  REQUIRE_FALSE(f.engine->Issue("nope").ok());
  CHECK(f.recorder.Last().status.code() == ErrorCode::kNotFound);
  CHECK(f.recorder.Last().role == "nope");
  REQUIRE_FALSE(f.engine->WriteRole("bad", R"({"credential_type":"nope"})").ok());
  CHECK(f.recorder.Last().operation == "role.write");
  CHECK(f.recorder.Last().status.code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("every kind of revocation is audited with its reason") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  REQUIRE(f.engine->WriteRole("other", kUserRole).ok());
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  IssuedCredential expiring = f.engine->Issue("deploy").value();
  f.clock.Advance(61min);
  IssuedCredential by_prefix = f.engine->Issue("deploy").value();
  IssuedCredential forced = f.engine->Issue("other").value();
  REQUIRE(f.engine->Tick() == 1);
  CHECK(f.recorder.Last().operation == "lease.revoke");
  CHECK(f.recorder.Last().reason == "expired");
  CHECK(f.recorder.Last().lease_id == expiring.lease_id);

  REQUIRE(f.engine->RevokePrefix("aws/creds/deploy/").value() == 1);
  CHECK(f.recorder.Last().reason == "prefix");
  CHECK(f.recorder.Last().lease_id == by_prefix.lease_id);

  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kPermissionDenied, "AccessDenied", 403));
  ForceRevokeReport report = f.engine->ForceRevoke("aws/creds/other/").value();
  REQUIRE(report.dropped.size() == 1);
  AuditEvent force = f.recorder.Last();
  CHECK(force.reason == "force");
  CHECK(force.lease_id == forced.lease_id);
  CHECK(force.status.code() == ErrorCode::kPermissionDenied);
  CHECK(force.status.message().find("lease dropped anyway") != std::string::npos);

  IssuedCredential with_role = f.engine->Issue("other").value();
  REQUIRE(f.engine->DeleteRole("other", /*revoke_leases=*/true).ok());
  std::vector<AuditEvent> events = f.recorder.events;
  REQUIRE(events.size() >= 2);
  CHECK(events[events.size() - 2].reason == "role_deleted");
  CHECK(events[events.size() - 2].lease_id == with_role.lease_id);
  CHECK(events.back().operation == "role.delete");
}

TEST_CASE("the worker logs failed revocations, the retry time, and an irrevocable lease") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  IssuedCredential c = f.engine->Issue("deploy").value();
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400), 2);
  f.clock.Advance(1h);
  REQUIRE(f.engine->Tick() == 1);
  f.clock.Advance(1h);
  REQUIRE(f.engine->Tick() == 1);

  std::vector<std::pair<LogLevel, std::string>> lines = f.recorder.lines;
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].first == LogLevel::kWarning);
  CHECK(lines[0].second.find("revoking lease " + c.lease_id + " failed (attempt 1)") != std::string::npos);
  CHECK(lines[0].second.find("Throttling") != std::string::npos);
  CHECK(lines[1].first == LogLevel::kError);
  CHECK(lines[1].second.find(c.lease_id + " is irrevocable after 2 attempts") != std::string::npos);
  CHECK(f.recorder.Last().status.code() == ErrorCode::kThrottled);
  CHECK(f.recorder.Last().reason == "expired");

  f.clock.Advance(25h);  // irrevocable leases are retried daily
  REQUIRE(f.engine->Tick() == 1);
  CHECK(f.recorder.lines.back().first == LogLevel::kInfo);
  CHECK(f.recorder.lines.back().second == "revoked expired lease " + c.lease_id);
  CHECK(f.recorder.Last().status.ok());
}

TEST_CASE("rotate-root, rollback and orphan deletion are audited") {
  Fixture f;
  REQUIRE(f.engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"old-secret"})").ok());
  std::string rotated = f.engine->RotateRoot().value();
  CHECK(f.recorder.Last().operation == "config.rotate_root");
  CHECK(f.recorder.Last().access_key_id == rotated);

  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  f.provider.FailNext("CreateUserWithKey", FakeAwsError(ErrorCode::kAwsError, "LimitExceeded", 409));
  REQUIRE_FALSE(f.engine->Issue("deploy").ok());
  std::vector<std::string> ops = f.recorder.Operations();
  REQUIRE(ops.size() >= 2);
  CHECK(ops[ops.size() - 2] == "intent.rollback");
  CHECK(ops.back() == "creds.issue");

  IamUserSpec orphan;
  orphan.user_name = "orphan";
  orphan.tags = {{"dyncreds-lease", "aws/creds/deploy/gone"}, {"dyncreds-mount", "aws"}};
  REQUIRE(f.provider.CreateUserWithKey(orphan).ok());
  TidyOptions tidy;
  tidy.delete_orphans = true;
  REQUIRE(f.engine->Tidy(tidy).value().deleted == std::vector<std::string>{"orphan"});
  CHECK(f.recorder.Last().operation == "orphan.delete");
  CHECK(f.recorder.Last().user_name == "orphan");
  CHECK(f.recorder.Last().status.ok());
}

TEST_CASE("lines below log_level are not passed on") {
  Fixture f(LogLevel::kError);
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  REQUIRE(f.engine->Issue("deploy").ok());
  f.provider.FailNext("DeleteUser", FakeAwsError(ErrorCode::kThrottled, "Throttling", 400));
  f.clock.Advance(1h);
  REQUIRE(f.engine->Tick() == 1);
  CHECK(f.recorder.Last().status.code() == ErrorCode::kThrottled);
  CHECK(f.recorder.lines.empty());  // the warning was below kError
}

TEST_CASE("fail-closed: when the audit log fails, nothing is granted or changed, and revocation still happens") {
  Fixture f;
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  REQUIRE(f.engine->WriteRole("fed", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  IssuedCredential kept = f.engine->Issue("deploy").value();
  IssuedCredential kept2 = f.engine->Issue("deploy").value();
  IssuedCredential kept3 = f.engine->Issue("deploy").value();
  const TimePoint kept_expiry = f.engine->Lookup(kept.lease_id)->expires_at;
  f.recorder.audit_result = Status::Make(ErrorCode::kStore, "disk full");

  Status s = f.engine->WriteRole("other", kUserRole);
  CHECK(s.code() == ErrorCode::kUnavailable);
  CHECK(s.message().find("the audit log could not record role.write aws/roles/other") != std::string::npos);
  CHECK(s.message().find("disk full") != std::string::npos);
  CHECK(s.message().find("nothing was changed") != std::string::npos);
  CHECK(f.engine->ReadRole("other").status().code() == ErrorCode::kNotFound);
  CHECK(f.engine->WriteRole("deploy", R"({"iam_groups":"admins"})").code() == ErrorCode::kUnavailable);
  CHECK(f.engine->ReadRole("deploy")->iam_groups.empty());
  CHECK(f.engine->DeleteRole("deploy").code() == ErrorCode::kUnavailable);
  CHECK(f.engine->ReadRole("deploy").ok());
  CHECK(f.engine->WriteLeaseConfig(R"({"lease":"5h","lease_max":"9h"})").code() == ErrorCode::kUnavailable);
  CHECK(*f.engine->ReadLeaseConfig() == R"({"lease":"1h0m0s","lease_max":"2h0m0s"})");
  CHECK(f.engine->WriteRootConfig(R"({"access_key":"AKIANEW","secret_key":"x"})").code() == ErrorCode::kUnavailable);
  CHECK(f.engine->ReadRootConfig()->find("AKIANEW") == std::string::npos);
  const std::vector<std::string> own_keys = f.provider.own_keys();
  const Status rotate = f.engine->RotateRoot().status();  // no key made unrecorded
  CHECK(rotate.code() == ErrorCode::kUnavailable);
  CHECK(rotate.message().find("could not record config.rotate_root") != std::string::npos);
  CHECK(f.provider.own_keys() == own_keys);

  f.clock.Advance(10min);
  CHECK(f.engine->Renew(kept.lease_id, 1h).status().code() == ErrorCode::kUnavailable);
  CHECK(f.engine->Lookup(kept.lease_id)->expires_at == kept_expiry);

  const std::size_t users_before = f.provider.users().size();
  Result<IssuedCredential> refused = f.engine->Issue("deploy");
  CHECK(refused.status().code() == ErrorCode::kUnavailable);
  CHECK(refused.status().message().find("the credential was revoked at once") != std::string::npos);
  CHECK(f.provider.users().size() == users_before);  // the IAM user made for it is gone again
  CHECK(f.engine->ListLeases("aws/creds/deploy/")->size() == 3);

  // STS credentials cannot be recalled: unrecorded, they are never handed out.
  Result<IssuedCredential> fed = f.engine->Issue("fed");
  CHECK(fed.status().code() == ErrorCode::kUnavailable);
  CHECK(f.engine->ListLeases("aws/creds/fed/")->empty());

  REQUIRE(f.engine->Revoke(kept.lease_id).ok());  // taking access away is never blocked
  CHECK(f.recorder.lines.back().second.find("audit event lease.revoke") != std::string::npos);
  CHECK(f.engine->RevokePrefix("aws/creds/deploy/", nullptr).value() == 2);  // nor in bulk
  CHECK(f.engine->ListLeases()->empty());
  CHECK(f.provider.users().empty());
  (void)kept2;
  (void)kept3;
}

TEST_CASE("fail-open: operations proceed and the failure to record is logged") {
  Fixture f(LogLevel::kInfo, /*fail_open=*/true);
  f.recorder.audit_result = Status::Make(ErrorCode::kStore, "disk full");
  REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
  REQUIRE(f.engine->Issue("deploy").ok());
  REQUIRE(f.recorder.lines.size() == 2);
  CHECK(f.recorder.lines[0].first == LogLevel::kError);
  CHECK(f.recorder.lines[0].second.find("audit event role.write aws/roles/deploy was not recorded") != std::string::npos);
  CHECK(f.recorder.lines[1].second.find("audit event creds.issue aws/creds/deploy was not recorded") != std::string::npos);
}

TEST_CASE("secrets appear in events only as HMACs under the store's salt, which the helper reproduces") {
  std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
  FakeClock clock;
  FakeIamProvider provider{&clock};
  std::vector<AuditEvent> events;
  auto open = [&] {
    EngineOptions o = FakeEngineOptions(&clock, &provider, store.get());
    o.audit = [&events](const AuditEvent& e) {
      events.push_back(e);
      return Status();
    };
    return Engine::Open(std::move(o)).value();
  };
  auto engine = open();
  REQUIRE(engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"root-secret-value"})").ok());
  REQUIRE(engine->WriteRole("user", kUserRole).ok());
  REQUIRE(engine->WriteRole("fed", R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok());
  IssuedCredential user = engine->Issue("user").value();
  IssuedCredential fed = engine->Issue("fed").value();

  const std::string root_hmac = engine->AuditHmac("root-secret-value").value();
  CHECK(root_hmac.rfind("hmac-sha256:", 0) == 0);
  CHECK(root_hmac.size() == 12 + 64);
  CHECK(events[0].secret_key_hmac == root_hmac);
  CHECK(events[3].secret_key_hmac == engine->AuditHmac(user.credentials.secret_access_key().view()).value());
  CHECK(events[3].session_token_hmac.empty());
  CHECK(events[4].secret_key_hmac == engine->AuditHmac(fed.credentials.secret_access_key().view()).value());
  CHECK(events[4].session_token_hmac == engine->AuditHmac(fed.credentials.session_token().view()).value());
  CHECK(events[4].ToJson().find(events[4].session_token_hmac) != std::string::npos);
  for (const AuditEvent& e : events) {
    const std::string json = e.ToJson();
    CHECK(json.find("root-secret-value") == std::string::npos);
    CHECK(json.find(std::string(user.credentials.secret_access_key().view())) == std::string::npos);
    CHECK(json.find(std::string(fed.credentials.secret_access_key().view())) == std::string::npos);
    CHECK(json.find(std::string(fed.credentials.session_token().view())) == std::string::npos);
  }

  engine.reset();  // the salt is the store's: a new engine on it gives the same HMAC
  CHECK(open()->AuditHmac("root-secret-value").value() == root_hmac);
  EngineOptions elsewhere;
  elsewhere.provider = &provider;
  elsewhere.revocation.background_worker = false;
  CHECK(Engine::Open(std::move(elsewhere)).value()->AuditHmac("root-secret-value").value() != root_hmac);
}

TEST_CASE("the caller the host names is in each event; the engine's own work has none") {
  Fixture f;
  REQUIRE(f.engine->WriteLeaseConfig(R"({"lease":"1h","lease_max":"2h"})").ok());
  CHECK(f.recorder.Last().caller.empty());
  {
    CallerScope outer("deploy-bot");
    REQUIRE(f.engine->WriteRole("deploy", kUserRole).ok());
    CHECK(f.recorder.Last().caller == "deploy-bot");
    {
      CallerScope inner(R"({"user":"alice","ip":"10.0.0.7"})");
      REQUIRE(f.engine->Issue("deploy").ok());
      AuditEvent issued = f.recorder.Last();
      CHECK(issued.caller == R"({"user":"alice","ip":"10.0.0.7"})");
      rapidjson::Document doc;
      doc.Parse(issued.ToJson().c_str());
      CHECK(std::string(doc["caller"]["user"].GetString()) == "alice");  // embedded as JSON
    }
    CHECK(CallerScope::Current() == "deploy-bot");
    std::thread([] { CHECK(CallerScope::Current().empty()); }).join();  // per thread
  }
  CHECK(CallerScope::Current().empty());
  f.clock.Advance(2h);
  REQUIRE(f.engine->Tick() == 1);
  CHECK(f.recorder.Last().reason == "expired");
  CHECK(f.recorder.Last().caller.empty());
}
