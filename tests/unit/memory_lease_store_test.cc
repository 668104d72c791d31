// MemoryLeaseStore: the LeaseStore contract (ids, prefixes, due order,
// counts per role, roles and configuration), and concurrent use.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "dyncreds/lease_store.h"

using namespace dyncreds;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

Lease MakeLease(const std::string& role, const std::string& suffix, TimePoint due) {
  Lease l;
  l.id = "aws/creds/" + role + "/" + suffix;
  l.mount = "aws";
  l.role = role;
  l.issued_at = kT0;
  l.expires_at = due;
  l.max_expires_at = due + 1h;
  l.due_at = due;
  return l;
}

std::vector<std::string> Ids(const std::vector<Lease>& leases) {
  std::vector<std::string> out;
  for (const Lease& l : leases) out.push_back(l.id);
  return out;
}

}  // namespace

TEST_CASE("leases by id, by prefix, by due time, and counted per role") {
  auto store = NewMemoryLeaseStore();
  REQUIRE(store->PutLease(MakeLease("r", "b", kT0 + 30s)).ok());
  REQUIRE(store->PutLease(MakeLease("r", "a", kT0 + 10s)).ok());
  REQUIRE(store->PutLease(MakeLease("r2", "c", kT0 + 20s)).ok());

  CHECK(store->GetLease("aws/creds/r/a")->due_at == kT0 + 10s);
  CHECK(store->GetLease("aws/creds/r/zz").status().code() == ErrorCode::kNotFound);
  CHECK(Ids(*store->ListLeases("aws/creds/r/")) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r/b"});
  CHECK(Ids(*store->ListLeases("aws/creds/r")).size() == 3);  // "r" and "r2"
  CHECK(Ids(*store->ListLeases("")).size() == 3);
  CHECK(*store->CountLeases("aws", "r") == 2);
  CHECK(*store->CountLeases("aws", "r2") == 1);
  CHECK(*store->CountLeases("other", "r") == 0);

  CHECK(Ids(*store->DueLeases(kT0 + 25s, 10)) == std::vector<std::string>{"aws/creds/r/a", "aws/creds/r2/c"});
  CHECK(Ids(*store->DueLeases(kT0 + 60s, 1)) == std::vector<std::string>{"aws/creds/r/a"});
  CHECK(store->DueLeases(kT0, 10)->empty());

  // Re-putting moves the lease in the due order.
  Lease later = *store->GetLease("aws/creds/r/a");
  later.due_at = kT0 + 50s;
  REQUIRE(store->PutLease(later).ok());
  CHECK(Ids(*store->DueLeases(kT0 + 60s, 10)) ==
        std::vector<std::string>{"aws/creds/r2/c", "aws/creds/r/b", "aws/creds/r/a"});

  REQUIRE(store->DeleteLease("aws/creds/r/a").ok());
  CHECK(store->DeleteLease("aws/creds/r/a").code() == ErrorCode::kNotFound);
  CHECK(Ids(*store->DueLeases(kT0 + 60s, 10)).size() == 2);
}

TEST_CASE("roles and configuration, per mount") {
  auto store = NewMemoryLeaseStore();
  Role role;
  role.name = "deploy";
  REQUIRE(store->PutRole("aws", role).ok());
  REQUIRE(store->PutRole("aws-eu", role).ok());
  CHECK(store->GetRole("aws", "deploy")->name == "deploy");
  CHECK(*store->ListRoles("aws") == std::vector<std::string>{"deploy"});
  REQUIRE(store->DeleteRole("aws", "deploy").ok());
  CHECK(store->GetRole("aws", "deploy").status().code() == ErrorCode::kNotFound);
  CHECK(store->GetRole("aws-eu", "deploy").ok());
  CHECK(store->DeleteRole("aws", "deploy").code() == ErrorCode::kNotFound);

  REQUIRE(store->PutConfig("aws", "config/lease", R"({"lease":"1h"})").ok());
  CHECK(*store->GetConfig("aws", "config/lease") == R"({"lease":"1h"})");
  CHECK(store->GetConfig("aws-eu", "config/lease").status().code() == ErrorCode::kNotFound);
}

TEST_CASE("many threads put, read and delete at once") {
  auto store = NewMemoryLeaseStore();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        store->PutLease(MakeLease("r", suffix, kT0 + std::chrono::seconds(i)));
        store->DueLeases(kT0 + 100s, 5);
        if (i % 2) store->DeleteLease("aws/creds/r/" + suffix);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(*store->CountLeases("aws", "r") == 8 * 100);
}
