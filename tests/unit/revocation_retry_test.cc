// core/revocation_retry: a failed revocation is retried with capped,
// jittered exponential backoff, becomes irrevocable after the last attempt,
// and is then retried rarely, never dropped.
#include "core/revocation_retry.h"

#include <doctest/doctest.h>

using namespace dyncreds;
using namespace std::chrono_literals;

TEST_CASE("revocation backoff: base * 2^(n-1), capped, jitter from half to one and a half") {
  RevocationOptions o;
  o.base_backoff = 10s;
  o.max_backoff = 60s;
  CHECK(core::RevocationBackoff(1, o, 0.5) == 10s);
  CHECK(core::RevocationBackoff(2, o, 0.5) == 20s);
  CHECK(core::RevocationBackoff(3, o, 0.5) == 40s);
  CHECK(core::RevocationBackoff(4, o, 0.5) == 60s);   // capped
  CHECK(core::RevocationBackoff(30, o, 0.5) == 60s);
  CHECK(core::RevocationBackoff(1, o, 0.0) == 5s);    // -50%
  CHECK(core::RevocationBackoff(1, o, 0.999) == 14s);  // just under +50%
  o.base_backoff = 1s;
  CHECK(core::RevocationBackoff(1, o, 0.0) == 1s);  // never less than a second
}

TEST_CASE("a failed revocation: retried, then irrevocable after max_attempts, then retried rarely") {
  RevocationOptions o;
  o.max_attempts = 3;
  o.base_backoff = 10s;
  o.irrevocable_retry = 24h;
  const TimePoint now = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  Lease lease;
  lease.id = "aws/creds/r/1";
  const Status why = Status::Make(ErrorCode::kAwsError, "DeleteConflict");
  CHECK_FALSE(core::NoteFailedRevocation(&lease, why, now, o, 0.5));
  CHECK(lease.revoke_attempts == 1);
  CHECK(lease.due_at == now + 10s);
  CHECK(lease.last_error.find("DeleteConflict") != std::string::npos);
  CHECK_FALSE(core::NoteFailedRevocation(&lease, why, now, o, 0.5));
  CHECK(lease.due_at == now + 20s);
  CHECK(lease.state == LeaseState::kActive);
  CHECK(core::NoteFailedRevocation(&lease, why, now, o, 0.5));  // the third: irrevocable
  CHECK(lease.state == LeaseState::kIrrevocable);
  CHECK(lease.due_at == now + 24h);
  CHECK_FALSE(core::NoteFailedRevocation(&lease, why, now, o, 0.5));  // told only once
  CHECK(lease.revoke_attempts == 4);
  CHECK(lease.due_at == now + 24h);
  // A long error is cut, so a lease row stays small.
  core::NoteFailedRevocation(&lease, Status::Make(ErrorCode::kAwsError, std::string(5000, 'x')), now, o, 0.5);
  CHECK(lease.last_error.size() == 1000);
}
