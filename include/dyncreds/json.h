// json.h: the engine's values as JSON, with Vault's field names: what the C
// ABI returns and the command-line tool prints. Times are RFC 3339 (UTC).
//
// Thread safety: pure functions.
#ifndef DYNCREDS_JSON_H_
#define DYNCREDS_JSON_H_

#include <string>
#include <vector>

#include "dyncreds/engine.h"
#include "dyncreds/export.h"
#include "dyncreds/secret.h"

namespace dyncreds {

// {"id", "mount", "role", "credential_type", "user_name", "access_key_id",
//  "arn", "issued_at", "expires_at", "max_expires_at", "renewable", "state",
//  "revoke_attempts", "last_error"}: never a secret.
DYNCREDS_EXPORT std::string LeaseToJson(const Lease& lease);
DYNCREDS_EXPORT std::string LeasesToJson(const std::vector<Lease>& leases);
DYNCREDS_EXPORT std::string StringsToJson(const std::vector<std::string>& items);
// {"lease_id", "lease_duration" (s), "renewable", "access_key", "secret_key",
//  "session_token" (STS), "expiration" (STS), "arn", "user_name"}. Holds the
// secret, so it comes back in a SecretString, and no unwiped copy is left.
DYNCREDS_EXPORT SecretString IssuedCredentialToJson(const IssuedCredential& issued);
// {"rolled_back", "settling", "orphans", "deleted", "failed": [{"name", "error"}], "irrevocable": [leases]}
DYNCREDS_EXPORT std::string TidyReportToJson(const TidyReport& report);
// {"revoked": [ids], "dropped": [{"lease_id", "error"}]}
DYNCREDS_EXPORT std::string ForceRevokeReportToJson(const ForceRevokeReport& report);

}  // namespace dyncreds

#endif  // DYNCREDS_JSON_H_
