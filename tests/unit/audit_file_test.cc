// AuditFile: the JSON-lines audit log. Private file, whole lines, reopen for
// rotation, a full lifecycle with no secret bytes in the file, and a disk
// that cannot be written blocking issuance (fail-closed).
#include <doctest/doctest.h>
#include <thread>
#include <set>
#include <atomic>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dyncreds/audit_file.h"
#include "dyncreds/engine.h"
#include "support/fake_clock.h"
#include "support/fake_iam_provider.h"
#include "support/temp_dir.h"
#include "dyncreds/sys/lease_store.h"

using namespace dyncreds;
using dyncreds::testing::FakeClock;
using dyncreds::testing::FakeEngineOptions;
using dyncreds::testing::FakeIamProvider;
using dyncreds::testing::TempDir;

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(Slurp(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

AuditEvent Named(const char* operation) {
  AuditEvent e;
  e.mount = "aws";
  e.operation = operation;
  return e;
}

const char kUserRole[] = R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})";
const char kFedRole[] = R"({"credential_type":"federation_token","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})";

}  // namespace

TEST_CASE("the audit file is private, append-only JSON lines, and reopens for rotation") {
  TempDir dir;
  const std::string path = dir.File("audit.log");
  auto log = AuditFile::Open({path}).value();
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(log->Write(Named("role.write")).ok());
  REQUIRE(log->Write(Named("creds.issue")).ok());

  std::filesystem::rename(path, dir.File("audit.log.1"));  // what logrotate does
  REQUIRE(log->Write(Named("lease.renew")).ok());          // still the renamed file, until Reopen
  REQUIRE(log->Reopen().ok());
  REQUIRE(log->Write(Named("lease.revoke")).ok());

  std::vector<std::string> old_lines = Lines(dir.File("audit.log.1"));
  REQUIRE(old_lines.size() == 3);
  for (const std::string& line : old_lines) {
    rapidjson::Document doc;
    CHECK_FALSE(doc.Parse(line.c_str()).HasParseError());
  }
  CHECK(old_lines[2].find("lease.renew") != std::string::npos);
  std::vector<std::string> new_lines = Lines(path);
  REQUIRE(new_lines.size() == 1);
  CHECK(new_lines[0].find("lease.revoke") != std::string::npos);
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  AuditFileOptions unsynced{dir.File("fast.log"), AuditFsync::kNever};
  REQUIRE(AuditFile::Open(unsynced).value()->Write(Named("role.write")).ok());
  CHECK(Lines(dir.File("fast.log")).size() == 1);
  CHECK(AuditFile::Open({dir.File("missing/dir/audit.log")}).status().code() == ErrorCode::kUnavailable);
}

TEST_CASE("8 threads writing one audit file, with a reopen among them: every line whole, none lost") {
  TempDir dir;
  const std::string path = dir.File("audit.log");
  auto log = AuditFile::Open({path, AuditFsync::kNever}).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        AuditEvent event = Named("creds.issue");
        event.lease_id = "aws/creds/r/" + std::to_string(t) + "-" + std::to_string(i);
        event.user_name = std::string(300, 'u');  // long lines, so torn writes would show
        if (!log->Write(event).ok()) ++failures;
        if (t == 0 && i == 100 && !log->Reopen().ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  std::set<std::string> leases;
  for (const std::string& line : Lines(path)) {
    rapidjson::Document doc;
    REQUIRE_FALSE(doc.Parse(line.c_str()).HasParseError());
    leases.insert(doc["lease_id"].GetString());
  }
  CHECK(leases.size() == 8 * 200);
}

TEST_CASE("a lifecycle in the audit file: every operation, HMACs, and no secret bytes") {
  TempDir dir;
  const std::string path = dir.File("audit.log");
  auto log = AuditFile::Open({path}).value();
  FakeClock clock;
  FakeIamProvider provider{&clock};
  EngineOptions o = FakeEngineOptions(&clock, &provider);
  o.audit = log->Function();
  auto engine = Engine::Open(std::move(o)).value();
  REQUIRE(engine->WriteRootConfig(R"({"access_key":"AKIAROOT0","secret_key":"root-secret-value"})").ok());
  REQUIRE(engine->WriteRole("user", kUserRole).ok());
  REQUIRE(engine->WriteRole("fed", kFedRole).ok());
  IssuedCredential user = engine->Issue("user").value();
  IssuedCredential fed = engine->Issue("fed").value();
  REQUIRE(engine->Renew(user.lease_id, std::chrono::hours(1)).ok());
  REQUIRE(engine->Revoke(user.lease_id).ok());
  REQUIRE(engine->RevokePrefix("aws/creds/fed/").ok());

  std::vector<std::string> operations;
  for (const std::string& line : Lines(path)) {
    rapidjson::Document doc;
    REQUIRE_FALSE(doc.Parse(line.c_str()).HasParseError());
    operations.push_back(std::string(doc["operation"].GetString()) +
                         (doc.HasMember("reason") ? std::string(":") + doc["reason"].GetString() : ""));
  }
  CHECK(operations == std::vector<std::string>{"config.write", "role.write", "role.write", "creds.issue", "creds.issue",
                                               "lease.renew", "lease.revoke:manual", "lease.revoke:prefix"});
  const std::string text = Slurp(path);
  for (std::string_view secret : {std::string_view("root-secret-value"), user.credentials.secret_access_key().view(),
                                  fed.credentials.secret_access_key().view(), fed.credentials.session_token().view()}) {
    CHECK(text.find(std::string(secret)) == std::string::npos);
    CHECK(text.find(engine->AuditHmac(secret).value()) != std::string::npos);  // matchable by HMAC
  }
}

TEST_CASE("a disk that cannot take the line blocks issuance (fail-closed) and leaves nothing in AWS") {
  auto log = AuditFile::Open({"/dev/full"}).value();  // every write fails with ENOSPC
  FakeClock clock;
  FakeIamProvider provider{&clock};
  std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
  auto engine = Engine::Open(FakeEngineOptions(&clock, &provider, store.get())).value();
  REQUIRE(engine->WriteRole("user", kUserRole).ok());  // before the audit log was attached
  engine.reset();

  EngineOptions audited = FakeEngineOptions(&clock, &provider, store.get());
  audited.audit = log->Function();
  engine = Engine::Open(std::move(audited)).value();
  Result<IssuedCredential> issued = engine->Issue("user");
  CHECK(issued.status().code() == ErrorCode::kUnavailable);
  CHECK(issued.status().message().find("No space left on device") != std::string::npos);
  CHECK(provider.users().empty());
  CHECK(engine->ListLeases()->empty());
}
