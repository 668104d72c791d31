// core/lease_renewal: Vault's renewal rules on their own: only renewable,
// active, unexpired leases; the new expiry is capped by the lease's maximum
// and the worker's due time follows it.
#include "core/lease_renewal.h"

#include <doctest/doctest.h>

using namespace dyncreds;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = std::chrono::system_clock::time_point(std::chrono::hours(500000));

Lease RenewableLease() {
  Lease l;
  l.id = "aws/creds/r/1";
  l.type = CredentialType::kIamUser;
  l.renewable = true;
  l.issued_at = kT0;
  l.expires_at = kT0 + 1h;
  l.due_at = l.expires_at;
  l.max_expires_at = kT0 + 24h;
  return l;
}

}  // namespace

TEST_CASE("renewal moves expiry and due time to now + increment") {
  const Lease renewed = core::Renewed(RenewableLease(), kT0 + 30min, 2h);
  CHECK(renewed.expires_at == kT0 + 150min);
  CHECK(renewed.due_at == renewed.expires_at);
  CHECK(renewed.max_expires_at == kT0 + 24h);  // unchanged
}

TEST_CASE("renewal never goes past the lease's maximum") {
  const Lease renewed = core::Renewed(RenewableLease(), kT0 + 23h, 5h);
  CHECK(renewed.expires_at == kT0 + 24h);
  CHECK(renewed.due_at == kT0 + 24h);
}

TEST_CASE("an active, unexpired, renewable lease may be renewed") {
  CHECK(core::CheckRenewable(RenewableLease(), kT0 + 59min).ok());
}

TEST_CASE("STS leases are not renewable, named by the lease_id field") {
  Lease l = RenewableLease();
  l.type = CredentialType::kFederationToken;
  l.renewable = false;
  const Status s = core::CheckRenewable(l, kT0);
  CHECK(s.Is(ErrorCode::kInvalidArgument));
  CHECK(s.field() == "lease_id");
  CHECK(s.message().find("federation_token") != std::string::npos);
}

TEST_CASE("an irrevocable lease is a conflict, an expired one is not found") {
  Lease stuck = RenewableLease();
  stuck.state = LeaseState::kIrrevocable;
  CHECK(core::CheckRenewable(stuck, kT0).Is(ErrorCode::kConflict));
  CHECK(core::CheckRenewable(RenewableLease(), kT0 + 1h).Is(ErrorCode::kNotFound));
}
