// engine.h: one mount of the AWS secrets engine: configuration, roles,
// credential issuance, and the leases that revoke every credential on time.
// It does what HashiCorp Vault's AWS secrets engine does, with Vault's field
// names and semantics, as a library.
//
//   EngineOptions options;                 // mount "aws", in-memory store
//   auto engine = Engine::Open(options).value();
//   engine->WriteRootConfig(R"({"access_key":"AKIA...","secret_key":"...","region":"us-east-1"})");
//   engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})");
//   Result<IssuedCredential> creds = engine->Issue("deploy", {});
//   ... creds->credentials ...; engine->Revoke(creds->lease_id);
//
// Leases expire by themselves: the engine's revocation worker (a thread it
// owns, or the host calling Tick()) revokes them when due, retrying with
// backoff, and marks a lease irrevocable after the last attempt, never
// dropping it silently.
//
// Thread safety: an Engine may be used from many threads at once.
#ifndef DYNCREDS_ENGINE_H_
#define DYNCREDS_ENGINE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dyncreds/credentials.h"
#include "dyncreds/events.h"
#include "dyncreds/export.h"
#include "dyncreds/lease.h"
#include "dyncreds/metrics.h"
#include "dyncreds/role.h"
#include "dyncreds/status.h"

namespace dyncreds {

// Extension interfaces (dyncreds/sys/): an engine takes them as options,
// and only a host that plugs in its own needs their headers.
class Clock;
class HttpTransport;
class IamProvider;
class LeaseStore;

// Progress of a long operation, for a host to show: items done, of those
// found so far (paged operations find more as they go). Called from the
// operation's threads, one call at a time.
using ProgressFunction = std::function<void(std::size_t done, std::size_t found)>;

struct RevocationOptions {
  // true: the engine runs its own worker thread; false: the host calls Tick().
  bool background_worker = true;
  std::chrono::milliseconds poll_interval{1000};  // how often the worker looks for due leases
  int parallelism = 4;        // revocations at once
  int max_attempts = 6;       // then the lease becomes irrevocable (Vault: 6)
  std::chrono::seconds base_backoff{10};     // attempt n waits base * 2^(n-1), +-50% jitter
  std::chrono::seconds max_backoff{3600};
  std::chrono::seconds irrevocable_retry{86400};  // irrevocable leases are retried this often
  // An issuance's intent older than this belongs to a process that died
  // mid-issuance, and is rolled back (its IAM user deleted). Must exceed the
  // longest issuance, IssueOptions::usable_timeout included.
  std::chrono::seconds intent_grace{600};
  // How often the worker (or Tick) looks for such intents, and for a root
  // key rotation a crash interrupted.
  std::chrono::seconds recovery_interval{60};
};

struct EngineOptions {
  std::string mount = "aws";
  // Where leases, roles and configuration live. Default: an in-memory store
  // owned by the engine. Must outlive the engine.
  LeaseStore* store = nullptr;
  // How AWS is reached. Default: AwsIamProvider built from config/root (and
  // rebuilt when it changes). Must outlive the engine.
  IamProvider* provider = nullptr;
  HttpTransport* transport = nullptr;  // for the default provider; default: its own
  Clock* clock = nullptr;              // default: Clock::System()
  RevocationOptions revocation;
  // Called (on the worker) when a lease becomes irrevocable.
  std::function<void(const Lease&)> on_irrevocable;
  // Log lines at log_level and above (default: none), and one audit event
  // per operation that changes or reveals something (events.h). Called from
  // any thread, concurrently; never given a secret. Must not call back into
  // the engine's destructor.
  LogFunction log;
  LogLevel log_level = LogLevel::kInfo;
  AuditFunction audit;
  // When `audit` cannot record an event. Fail-closed (false, the default,
  // as in Vault): an operation that grants or changes something does not
  // happen. Configuration, role and renewal changes are recorded just before
  // they are committed, and a failure stops them; a credential is recorded
  // once issued, and if that fails it is revoked at once and the issuance
  // fails, so no unrecorded secret is handed out. Revocations (which only
  // take access away) always proceed. Fail-open (true): everything
  // proceeds; the failure is logged.
  bool audit_fail_open = false;
  // Random numbers in [0,1) for backoff jitter; default: a PRNG.
  std::function<double()> jitter;
};

struct IssueOptions {
  std::optional<std::chrono::seconds> ttl;  // capped by the role's / mount's maximum
  std::string role_arn;           // assumed_role: which of role_arns (required when several)
  std::string role_session_name;  // assumed_role: default from the username template
  std::string mfa_code;           // session_token / assumed_role with mfa_serial_number
  std::string display_name = "token";  // the template's .DisplayName
  // iam_user: return only once the new key works (sts:GetCallerIdentity),
  // polling with backoff until `usable_timeout`. IAM is eventually consistent.
  bool wait_until_usable = false;
  std::chrono::seconds usable_timeout{60};
};

struct IssuedCredential {
  std::string lease_id;
  AwsCredentials credentials;  // id, secret, and for STS the token and expiration
  std::string arn;             // the IAM user, assumed-role or federated user
  std::string user_name;       // iam_user: the IAM user name
  std::chrono::seconds lease_duration{0};
  bool renewable = false;
};

struct TidyOptions {
  std::string path_prefix = "/";  // IAM users under this path are examined
  bool delete_orphans = false;    // delete the orphans found, not just report them
  ProgressFunction progress;      // IAM users examined, of those listed
};

struct TidyReport {
  std::vector<std::string> rolled_back;  // lease ids of dead issuances undone
  std::vector<std::string> settling;     // dead issuances with no user yet whose CreateUser may still
                                         // land (it was on the wire): looked at again 21 minutes later
  std::vector<std::string> orphans;      // IAM users tagged for this mount with no lease or intent
  std::vector<std::string> deleted;      // orphans deleted (delete_orphans)
  std::vector<std::pair<std::string, std::string>> failed;  // lease id or user, and why
  std::vector<Lease> irrevocable;        // leases revocation gave up on
};

struct ForceRevokeReport {
  std::vector<std::string> revoked;                           // cleaned up in AWS
  std::vector<std::pair<std::string, std::string>> dropped;  // lease id, why AWS cleanup failed
};

class DYNCREDS_EXPORT Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine();  // stops the worker promptly; leases stay in the store
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // config/root: access_key, secret_key, region, iam_endpoint, sts_endpoint,
  // sts_region, max_retries, username_template. A write merges; an omitted
  // username_template resets to the default, as in Vault.
  Status WriteRootConfig(std::string_view json);
  Result<std::string> ReadRootConfig();  // never includes secret_key
  // config/rotate-root: replaces the stored root key with a new one for the
  // same IAM user. It creates the key, waits until it works, stores it
  // (sealed), and only then deletes the old one; a crash at any point
  // leaves a working stored key, and the next Tick finishes or undoes the
  // rotation. Returns the new access key id.
  Result<std::string> RotateRoot();
  // config/lease: lease and lease_max (both required, e.g. "768h").
  Status WriteLeaseConfig(std::string_view json);
  Result<std::string> ReadLeaseConfig();

  Status WriteRole(std::string_view name, std::string_view json);
  Result<Role> ReadRole(std::string_view name);
  Result<std::vector<std::string>> ListRoles();
  // Deletes the role. Its leases stay (Vault's behaviour) unless
  // `revoke_leases`, which revokes them first and keeps the role if any fails.
  Status DeleteRole(std::string_view name, bool revoke_leases = false);

  Result<IssuedCredential> Issue(std::string_view role, const IssueOptions& options = {});

  Result<Lease> Lookup(std::string_view lease_id);
  // Leases under `prefix` in id order, after `after`, at most `limit` (0: all).
  Result<std::vector<Lease>> ListLeases(std::string_view prefix = "", std::string_view after = "",
                                        std::size_t limit = 0);
  // Extends an iam_user lease by `increment` from now (0: the role's TTL),
  // never past its max TTL from issue time.
  Result<Lease> Renew(std::string_view lease_id, std::chrono::seconds increment = std::chrono::seconds(0));
  // Revokes now: deletes the IAM user (everything on it) and the lease.
  // STS credentials cannot be recalled; their lease just ends.
  Status Revoke(std::string_view lease_id);
  // Revokes every lease under the prefix; returns how many. If some fail,
  // the others are still revoked and the error lists the failures.
  Result<std::size_t> RevokePrefix(std::string_view prefix, const ProgressFunction& progress = {});
  // Like RevokePrefix, but drops leases even when AWS cleanup fails, and
  // reports which ones (their IAM users may still exist).
  Result<ForceRevokeReport> ForceRevoke(std::string_view prefix, const ProgressFunction& progress = {});

  // Rolls back dead issuances, then reports (and with delete_orphans
  // deletes) IAM users of this mount that no lease or intent accounts for,
  // and lists irrevocable leases.
  Result<TidyReport> Tidy(const TidyOptions& options = {});

  // Revokes the leases that are due now, and every recovery_interval rolls
  // back dead issuances and interrupted root rotations; returns how many
  // leases were handled. With a background worker this happens by itself.
  std::size_t Tick();

  // "hmac-sha256:<hex>" of `value` under this store's audit salt: what
  // audit events carry in place of secrets, for matching a leaked key.
  Result<std::string> AuditHmac(std::string_view value);

  // Counters since the engine opened, and the store's lease figures now.
  Result<MetricsSnapshot> Metrics();

  const std::string& mount() const;

  class Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_ENGINE_H_
