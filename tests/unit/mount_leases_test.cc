// core/mount_leases: a mount's leases by id and by prefix, as Vault
// addresses them: another mount's lease is not found, prefixes are path
// segments, and ForEach pages through every lease while fn deletes them.
#include "core/mount_leases.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>

using namespace dyncreds;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = std::chrono::system_clock::time_point(std::chrono::hours(500000));

Lease MakeLease(const std::string& mount, const std::string& role, const std::string& suffix) {
  Lease l;
  l.id = mount + "/creds/" + role + "/" + suffix;
  l.mount = mount;
  l.role = role;
  l.type = CredentialType::kIamUser;
  l.user_name = "vault-" + suffix;
  l.issued_at = kT0;
  l.expires_at = kT0 + 1h;
  l.max_expires_at = kT0 + 2h;
  l.due_at = l.expires_at;
  return l;
}

}  // namespace

TEST_CASE("a lease of another mount is not found, so it is never acted on with this mount's keys") {
  auto store = NewMemoryLeaseStore();
  REQUIRE(store->PutLease(MakeLease("aws-us-west-2", "r", "1")).ok());
  core::MountLeases aws(*store, "aws");
  core::MountLeases west(*store, "aws-us-west-2");
  CHECK(aws.Get("aws-us-west-2/creds/r/1").status().Is(ErrorCode::kNotFound));
  CHECK(west.Get("aws-us-west-2/creds/r/1").ok());
}

TEST_CASE("prefixes are path segments; a lease id names that lease alone") {
  auto store = NewMemoryLeaseStore();
  REQUIRE(store->PutLease(MakeLease("aws", "dev", "1")).ok());
  REQUIRE(store->PutLease(MakeLease("aws", "dev", "10")).ok());
  REQUIRE(store->PutLease(MakeLease("aws", "developer", "2")).ok());
  core::MountLeases leases(*store, "aws");
  CHECK(*leases.SegmentPrefix("aws/creds/dev") == "aws/creds/dev/");
  CHECK(*leases.SegmentPrefix("aws/creds/dev/") == "aws/creds/dev/");
  CHECK(*leases.SegmentPrefix("aws/creds/dev/1") == "aws/creds/dev/1");  // the lease itself
  CHECK(*leases.SegmentPrefix("") == "");
  CHECK(leases.List("aws/creds/dev", "", 100)->size() == 2);        // not "developer"
  CHECK(leases.List("aws/creds/dev/1", "", 100)->size() == 1);      // not ".../10"
  CHECK(leases.List("aws/creds/dev", "aws/creds/dev/1", 100)->size() == 1);  // after
}

TEST_CASE("ForEach sees every lease across pages while fn deletes them, and reports progress") {
  auto store = NewMemoryLeaseStore();
  const std::size_t n = core::MountLeases::kPage * 2 + 17;
  for (std::size_t i = 0; i < n; ++i) REQUIRE(store->PutLease(MakeLease("aws", "r", std::to_string(i))).ok());
  REQUIRE(store->PutLease(MakeLease("aws", "other", "x")).ok());
  core::MountLeases leases(*store, "aws");
  std::set<std::string> seen_ids;
  std::size_t last_done = 0;
  std::size_t last_found = 0;
  Result<std::size_t> seen = leases.ForEach(
      "aws/creds/r", 4,
      [&](std::size_t done, std::size_t found) {  // called under the page's mutex
        CHECK(done == last_done + 1);
        last_done = done;
        last_found = found;
      },
      [&](const Lease& lease, std::mutex& mu) {
        REQUIRE(store->DeleteLease(lease.id).ok());
        std::lock_guard<std::mutex> lock(mu);
        seen_ids.insert(lease.id);
      });
  REQUIRE(seen.ok());
  CHECK(*seen == n);
  CHECK(seen_ids.size() == n);
  CHECK(last_done == n);
  CHECK(last_found == n);
  CHECK(store->GetLease("aws/creds/other/x").ok());  // outside the prefix: untouched
}
