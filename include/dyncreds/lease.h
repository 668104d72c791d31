// lease.h: a lease, as the engine hands it out and keeps it: which
// credential it accounts for and when it is revoked. Never a secret: only the
// access key id.
//
// Thread safety: plain values.
#ifndef DYNCREDS_LEASE_H_
#define DYNCREDS_LEASE_H_

#include <chrono>
#include <string>

#include "dyncreds/role.h"

namespace dyncreds {

using TimePoint = std::chrono::system_clock::time_point;

enum class LeaseState {
  kActive,       // issued; revoked when due
  kIrrevocable,  // revocation failed every attempt; kept and reported, retried rarely
};

struct Lease {
  std::string id;       // "<mount>/creds/<role>/<random>"
  std::string mount;
  std::string role;
  CredentialType type = CredentialType::kIamUser;
  std::string user_name;      // iam_user: the IAM user; STS: the session or federated name
  std::string access_key_id;  // never the secret
  std::string arn;
  TimePoint issued_at;
  TimePoint expires_at;       // now + TTL; renewals move it
  TimePoint max_expires_at;   // issued_at + max TTL; renewals never pass it
  bool renewable = false;
  LeaseState state = LeaseState::kActive;
  TimePoint due_at;           // when the worker should next act: expiry, or a retry
  int revoke_attempts = 0;
  std::string last_error;     // why the last revocation attempt failed
};

}  // namespace dyncreds

#endif  // DYNCREDS_LEASE_H_
