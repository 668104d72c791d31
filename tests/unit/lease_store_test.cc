// The LeaseStore contract, run against every store: leases by id, prefix
// (with paging), due time and state; counts per role; intents and their
// promotion; roles; configuration with secrets; concurrent use.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "dyncreds/sys/lease_store.h"
#include "dyncreds/sqlite_lease_store.h"
#include "support/temp_dir.h"

using namespace dyncreds;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

struct MemoryStore {
  std::unique_ptr<LeaseStore> store = NewMemoryLeaseStore();
};

struct SqliteStore {
  testing::TempDir dir;
  std::unique_ptr<LeaseStore> store = Open();

  std::unique_ptr<LeaseStore> Open() {
    SqliteStoreOptions options;
    options.path = dir.File("leases.db");
    options.encryption_key = SecretString(std::string(32, 'k'));
    options.key_from_environment = false;
    return OpenSqliteLeaseStore(std::move(options)).value();
  }
};

Lease MakeLease(const std::string& role, const std::string& suffix, TimePoint due) {
  Lease l;
  l.id = "aws/creds/" + role + "/" + suffix;
  l.mount = "aws";
  l.role = role;
  l.type = CredentialType::kIamUser;
  l.user_name = "vault-" + suffix;
  l.access_key_id = "AKIA" + suffix;
  l.arn = "arn:aws:iam::123456789012:user/vault-" + suffix;
  l.issued_at = kT0;
  l.expires_at = due;
  l.max_expires_at = due + 1h;
  l.due_at = due;
  l.renewable = true;
  return l;
}

std::vector<std::string> Ids(const std::vector<Lease>& leases) {
  std::vector<std::string> out;
  for (const Lease& l : leases) out.push_back(l.id);
  return out;
}

}  // namespace

#define STORES MemoryStore, SqliteStore

TEST_CASE_TEMPLATE("leases by id, by prefix, by due time, and counted per role", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  REQUIRE(store.PutLease(MakeLease("r", "b", kT0 + 30s)).ok());
  REQUIRE(store.PutLease(MakeLease("r", "a", kT0 + 10s)).ok());
  REQUIRE(store.PutLease(MakeLease("r2", "c", kT0 + 20s)).ok());

  CHECK(store.GetLease("aws/creds/r/a")->due_at == kT0 + 10s);
  CHECK(store.GetLease("aws/creds/r/zz").status().code() == ErrorCode::kNotFound);
  CHECK(Ids(*store.ListLeases("aws", "aws/creds/r/", "", 0)) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r/b"});
  CHECK(Ids(*store.ListLeases("aws", "aws/creds/r", "", 0)).size() == 3);  // "r" and "r2"
  CHECK(Ids(*store.ListLeases("aws", "", "", 0)).size() == 3);
  CHECK(store.ListLeases("aws", "aws/creds/x/", "", 0)->empty());
  CHECK(*store.CountLeases("aws", "r") == 2);
  CHECK(*store.CountLeases("aws", "r2") == 1);
  CHECK(*store.CountLeases("other", "r") == 0);

  CHECK(Ids(*store.DueLeases("aws", kT0 + 25s, 10)) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r2/c"});
  CHECK(Ids(*store.DueLeases("aws", kT0 + 60s, 1)) == std::vector<std::string>{"aws/creds/r/a"});
  CHECK(store.DueLeases("aws", kT0, 10)->empty());

  // Re-putting moves the lease in the due order.
  Lease later = *store.GetLease("aws/creds/r/a");
  later.due_at = kT0 + 50s;
  REQUIRE(store.PutLease(later).ok());
  CHECK(Ids(*store.DueLeases("aws", kT0 + 60s, 10)) ==
        std::vector<std::string>{"aws/creds/r2/c", "aws/creds/r/b", "aws/creds/r/a"});

  REQUIRE(store.DeleteLease("aws/creds/r/a").ok());
  CHECK(store.DeleteLease("aws/creds/r/a").code() == ErrorCode::kNotFound);
  CHECK(Ids(*store.DueLeases("aws", kT0 + 60s, 10)).size() == 2);
}

TEST_CASE_TEMPLATE("every field of a lease comes back as it was stored", S, STORES) {
  S s;
  Lease l = MakeLease("r", "x", kT0 + 90s);
  l.type = CredentialType::kFederationToken;
  l.issued_at = kT0 + 123456789ns;  // sub-second times survive
  l.renewable = false;
  l.state = LeaseState::kIrrevocable;
  l.revoke_attempts = 6;
  l.last_error = "AccessDenied: \"quoted\" and ünïcode";
  REQUIRE(s.store->PutLease(l).ok());
  Lease back = *s.store->GetLease(l.id);
  CHECK(back.id == l.id);
  CHECK(back.mount == l.mount);
  CHECK(back.role == l.role);
  CHECK(back.type == l.type);
  CHECK(back.user_name == l.user_name);
  CHECK(back.access_key_id == l.access_key_id);
  CHECK(back.arn == l.arn);
  CHECK(back.issued_at == l.issued_at);
  CHECK(back.expires_at == l.expires_at);
  CHECK(back.max_expires_at == l.max_expires_at);
  CHECK(back.renewable == l.renewable);
  CHECK(back.state == l.state);
  CHECK(back.due_at == l.due_at);
  CHECK(back.revoke_attempts == l.revoke_attempts);
  CHECK(back.last_error == l.last_error);
}

TEST_CASE_TEMPLATE("listing pages through a prefix, and irrevocable leases are found", S, STORES) {
  S s;
  for (int i = 0; i < 25; ++i) {
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%03d", i);
    Lease l = MakeLease("r", suffix, kT0 + 10s);
    if (i % 10 == 3) l.state = LeaseState::kIrrevocable;
    REQUIRE(s.store->PutLease(l).ok());
  }
  REQUIRE(s.store->PutLease(MakeLease("q", "000", kT0)).ok());
  REQUIRE(s.store->PutLease(MakeLease("s", "000", kT0)).ok());
  std::vector<std::string> all;
  std::string after;
  int pages = 0;
  for (;;) {
    std::vector<Lease> page = *s.store->ListLeases("aws", "aws/creds/r/", after, 10);
    if (page.empty()) break;
    ++pages;
    for (const Lease& l : page) all.push_back(l.id);
    after = page.back().id;
  }
  CHECK(pages == 3);
  REQUIRE(all.size() == 25);
  CHECK(all.front() == "aws/creds/r/000");
  CHECK(all.back() == "aws/creds/r/024");
  // An `after` that sorts before the prefix starts at the prefix.
  CHECK(s.store->ListLeases("aws", "aws/creds/r/", "aws/creds/q/000", 1)->front().id == "aws/creds/r/000");
  CHECK(Ids(*s.store->IrrevocableLeases("aws", "aws/")) ==
        std::vector<std::string>{"aws/creds/r/003", "aws/creds/r/013", "aws/creds/r/023"});
  CHECK(s.store->IrrevocableLeases("aws", "other/")->empty());
}

TEST_CASE_TEMPLATE("an intent becomes its lease in one step, and only once", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  const Intent intent{"aws/creds/r/1", "aws", "r", CredentialType::kIamUser, "vault-1", kT0, {}, std::nullopt};
  REQUIRE(store.PutIntent(intent).ok());
  REQUIRE(store.PutIntent(Intent{"aws/creds/r/2", "aws", "r", CredentialType::kAssumedRole, "s2", kT0 + 5s, {}, std::nullopt}).ok());
  REQUIRE(store.PutIntent(Intent{"eu/creds/r/3", "eu", "r", CredentialType::kIamUser, "vault-3", kT0, {}, std::nullopt}).ok());
  CHECK(store.GetIntent("aws/creds/r/1")->user_name == "vault-1");
  CHECK(store.GetIntent("aws/creds/r/1")->created_at == kT0);
  CHECK(store.GetIntent("aws/creds/r/2")->type == CredentialType::kAssumedRole);

  std::vector<Intent> old = *store.ListIntents("aws", kT0 + 1s);
  REQUIRE(old.size() == 1);
  CHECK(old[0].lease_id == "aws/creds/r/1");
  CHECK(store.ListIntents("aws", kT0 + 10s)->size() == 2);
  CHECK(store.ListIntents("aws", kT0)->empty());

  Lease lease = MakeLease("r", "1", kT0 + 1h);
  REQUIRE(store.PromoteIntent(lease).ok());
  CHECK(store.GetLease(lease.id).ok());
  CHECK(store.GetIntent(lease.id).status().code() == ErrorCode::kNotFound);
  // A second promotion finds no intent (it was rolled back, say): nothing is stored.
  REQUIRE(store.DeleteLease(lease.id).ok());
  CHECK(store.PromoteIntent(lease).code() == ErrorCode::kConflict);
  CHECK(store.GetLease(lease.id).status().code() == ErrorCode::kNotFound);

  REQUIRE(store.DeleteIntent("aws/creds/r/2").ok());
  CHECK(store.DeleteIntent("aws/creds/r/2").code() == ErrorCode::kNotFound);
  CHECK(store.ListIntents("aws", kT0 + 1h)->empty());
  CHECK(store.ListIntents("eu", kT0 + 1h)->size() == 1);
}

TEST_CASE_TEMPLATE("roles and configuration, per mount, secrets apart", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  Role role;
  role.name = "deploy";
  role.policy_arns = {"arn:aws:iam::aws:policy/ReadOnlyAccess"};
  role.default_ttl = 30min;
  REQUIRE(store.PutRole("aws", role).ok());
  REQUIRE(store.PutRole("aws-eu", role).ok());
  CHECK(store.GetRole("aws", "deploy")->policy_arns == role.policy_arns);
  CHECK(store.GetRole("aws", "deploy")->default_ttl == 30min);
  CHECK(*store.ListRoles("aws") == std::vector<std::string>{"deploy"});
  REQUIRE(store.DeleteRole("aws", "deploy").ok());
  CHECK(store.GetRole("aws", "deploy").status().code() == ErrorCode::kNotFound);
  CHECK(store.GetRole("aws-eu", "deploy").ok());
  CHECK(store.DeleteRole("aws", "deploy").code() == ErrorCode::kNotFound);

  REQUIRE(store.PutConfig("aws", "config/lease", ConfigEntry{R"({"lease":"1h"})", SecretString()}).ok());
  CHECK(store.GetConfig("aws", "config/lease")->json == R"({"lease":"1h"})");
  CHECK(store.GetConfig("aws", "config/lease")->secret.empty());
  CHECK(store.GetConfig("aws-eu", "config/lease").status().code() == ErrorCode::kNotFound);

  REQUIRE(store.PutConfig("aws", "config/root", ConfigEntry{R"({"access_key":"AKIA1"})", SecretString("s3cr3t")}).ok());
  ConfigEntry root = *store.GetConfig("aws", "config/root");
  CHECK(root.json == R"({"access_key":"AKIA1"})");
  CHECK(root.secret.view() == "s3cr3t");
  REQUIRE(store.DeleteConfig("aws", "config/root").ok());
  CHECK(store.GetConfig("aws", "config/root").status().code() == ErrorCode::kNotFound);
  CHECK(store.DeleteConfig("aws", "config/root").ok());  // absent: fine
}

TEST_CASE_TEMPLATE("many threads put, read and delete at once", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        CHECK(store.PutLease(MakeLease("r", suffix, kT0 + std::chrono::seconds(i))).ok());
        CHECK(store.DueLeases("aws", kT0 + 100s, 5).ok());
        if (i % 2) CHECK(store.DeleteLease("aws/creds/r/" + suffix).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(*store.CountLeases("aws", "r") == 8 * 50);
}

TEST_CASE_TEMPLATE("every lease query is confined to its mount", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  REQUIRE(store.PutLease(MakeLease("r", "a", kT0 + 10s)).ok());
  Lease west = MakeLease("r", "b", kT0 + 10s);
  west.id = "aws-us-west-2/creds/r/b";
  west.mount = "aws-us-west-2";
  west.state = LeaseState::kIrrevocable;
  REQUIRE(store.PutLease(west).ok());
  Lease stuck = MakeLease("r", "c", kT0 + 10s);
  stuck.state = LeaseState::kIrrevocable;
  REQUIRE(store.PutLease(stuck).ok());

  CHECK(Ids(*store.DueLeases("aws", kT0 + 60s, 10)) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r/c"});
  CHECK(Ids(*store.DueLeases("aws-us-west-2", kT0 + 60s, 10)) == std::vector<std::string>{"aws-us-west-2/creds/r/b"});
  // A raw id prefix "aws" spans both mounts' ids; the mount keeps them apart.
  CHECK(Ids(*store.ListLeases("aws", "aws", "", 0)) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r/c"});
  CHECK(Ids(*store.ListLeases("aws-us-west-2", "", "", 0)) == std::vector<std::string>{"aws-us-west-2/creds/r/b"});
  CHECK(Ids(*store.IrrevocableLeases("aws", "")) == std::vector<std::string>{"aws/creds/r/c"});
  CHECK(store.DueLeases("gcp", kT0 + 60s, 10)->empty());
}

TEST_CASE_TEMPLATE("user names held by leases and intents, per mount; mounts with configuration", S, STORES) {
  S s;
  LeaseStore& store = *s.store;
  REQUIRE(store.PutLease(MakeLease("r", "a", kT0 + 10s)).ok());  // user vault-a
  Intent intent{"aws/creds/r/x", "aws", "r", CredentialType::kIamUser, "vault-x", kT0, {"host-1", 42, 4242}, std::nullopt};
  REQUIRE(store.PutIntent(intent).ok());
  CHECK(*store.HoldsUserName("aws", "vault-a"));
  CHECK(*store.HoldsUserName("aws", "vault-x"));
  CHECK_FALSE(*store.HoldsUserName("aws", "vault-y"));
  CHECK_FALSE(*store.HoldsUserName("aws-us-west-2", "vault-a"));

  Intent read = *store.GetIntent("aws/creds/r/x");  // the owner is kept
  CHECK(read.owner.host == "host-1");
  CHECK(read.owner.pid == 42);
  CHECK(read.owner.start == 4242);
  CHECK_FALSE(read.user_absent_at);
  // A rollback that found no user yet notes when, replacing the intent.
  read.user_absent_at = kT0 + 7s;
  REQUIRE(store.PutIntent(read).ok());
  CHECK(store.GetIntent("aws/creds/r/x")->user_absent_at == kT0 + 7s);
  CHECK(store.ListIntents("aws", TimePoint::max())->size() == 1);

  CHECK(store.ListMounts()->empty());
  REQUIRE(store.PutConfig("aws-us-west-2", "config/root", {R"({"region":"us-west-2"})", {}}).ok());
  REQUIRE(store.PutConfig("aws", "config/lease", {R"({"lease":"1h"})", {}}).ok());
  REQUIRE(store.PutConfig("gcp", "config/lease", {R"({"lease":"1h"})", {}}).ok());  // no root: not a mount to serve
  REQUIRE(store.PutConfig("aws", "config/root", {R"({"region":"us-east-1"})", {}}).ok());
  CHECK(*store.ListMounts() == std::vector<std::string>{"aws", "aws-us-west-2"});
  REQUIRE(store.PutConfig("", "audit/salt", {"{}", {}}).ok());  // store-wide documents are not mounts
  CHECK(store.ListMounts()->size() == 2);
}
