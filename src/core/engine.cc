#include "dyncreds/engine.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "core/audit_events.h"
#include "core/audit_trail.h"
#include "core/lease_config.h"
#include "core/lease_id.h"
#include "core/lease_slots.h"
#include "core/dead_issuances.h"
#include "core/in_flight.h"
#include "core/issuance.h"
#include "core/issuance_rules.h"
#include "core/metrics_recorder.h"
#include "core/parallel.h"
#include "core/recovery.h"
#include "core/revocation_retry.h"
#include "core/revocation_worker.h"
#include "core/root_config.h"
#include "core/root_rotation.h"
#include "core/username_template.h"
#include "dyncreds/ttl.h"
#include "dyncreds/aws_iam_provider.h"
#include "util/time_format.h"

namespace dyncreds {
namespace {

using std::chrono::seconds;

constexpr std::size_t kPage = 1000;     // leases read at a time
constexpr std::size_t kDueBatch = 256;  // due leases revoked per Tick

using core::LeaseConfig;
using core::RootConfig;

}  // namespace

class Engine::Impl {
 public:
  using AuditedChange = core::AuditTrail::Change;

  explicit Impl(EngineOptions options) : options_(std::move(options)) {
    if (options_.store == nullptr) {
      owned_store_ = NewMemoryLeaseStore();
      options_.store = owned_store_.get();
    }
    if (options_.clock == nullptr) options_.clock = Clock::System();
    if (!options_.jitter) {
      options_.jitter = [rng = std::make_shared<std::mt19937_64>(std::random_device{}()),
                         mu = std::make_shared<std::mutex>()] {
        std::lock_guard<std::mutex> lock(*mu);
        return std::uniform_real_distribution<double>(0.0, 1.0)(*rng);
      };
    }
    if (options_.provider != nullptr) {
      provider_ = std::shared_ptr<IamProvider>(options_.provider, [](IamProvider*) {});
    }
    template_ = std::make_shared<core::UsernameTemplate>(
        core::UsernameTemplate::Parse(core::kDefaultUsernameTemplate).value());
    events_.emplace(options_.mount, options_.clock);
    rotation_ = std::make_unique<core::RootRotation>(RotationHost());
    dead_issuances_.emplace(
        *store(), options_.mount, in_flight_, options_.revocation.intent_grace,
        [this](IamProvider& provider, const Intent& intent, TimePoint now) {
          return RollBack(provider, intent, now, /*create_may_land=*/true);
        },
        [this](LogLevel level, const std::string& message) { Log(level, message); });
    audit_.emplace(options_.audit, options_.audit_fail_open, options_.store,
                   [this](const std::string& line) { Log(LogLevel::kError, line); });
  }

  ~Impl() {
    if (worker_) worker_->Stop();  // before any member it uses goes
  }

  Status Load() {
    Result<ConfigEntry> lease = store()->GetConfig(options_.mount, core::kLeaseConfigKey);
    if (lease.ok()) {
      Result<LeaseConfig> parsed = core::ParseLeaseConfig(lease->json);
      if (!parsed.ok()) return parsed.status().WithContext("stored config/lease");
      lease_ = *parsed;  // opening: no one calls in yet
    } else if (!lease.status().Is(ErrorCode::kNotFound)) {
      return lease.status();
    }
    Status root = LoadRoot();
    if (!root.ok()) return root;
    if (options_.revocation.background_worker) {
      // A full batch means a backlog (say, after downtime): go on at once.
      worker_.emplace(options_.clock, options_.revocation.poll_interval, [this] { return Tick() == kDueBatch; });
    }
    return Status();
  }

  // --- configuration -----------------------------------------------------------

  Status WriteRootConfig(std::string_view json) {
    AuditedChange change(*audit_, events_->Event("config.write", "config/root"));
    std::lock_guard<std::mutex> writing(config_write_mu_);
    RootConfig next = CurrentRoot();
    next.username_template = core::kDefaultUsernameTemplate;  // omitted: reset, as in Vault
    Status s = core::MergeRootJson(json, &next);
    change.event().access_key_id = next.access_key;
    if (s.ok() && !next.secret_key.empty()) {
      Result<std::string> hmac = Hmac(next.secret_key.view());
      if (hmac.ok()) change.event().secret_key_hmac = *hmac;
      s = hmac.status();
    }
    if (s.ok()) s = InstallRoot(std::move(next), /*persist=*/true, [&change] { return change.Commit(); });
    return change.Finish(s);
  }

  // Loads config/root. A root that cannot be used (its secret sealed with a
  // key this process lacks, or no credentials) does not stop the engine from
  // opening: leases can still be read, and AWS calls say why they cannot run.
  Status LoadRoot() {
    Result<ConfigEntry> stored = store()->GetConfig(options_.mount, core::kRootConfigKey);
    if (stored.status().Is(ErrorCode::kNotFound)) return Status();
    if (!stored.ok() && !stored.status().Is(ErrorCode::kEncryptionKey)) return stored.status();
    std::lock_guard<std::mutex> writing(config_write_mu_);
    Status unusable = stored.status();
    if (stored.ok()) {
      RootConfig root;
      Status s = core::MergeRootJson(stored->json, &root);
      if (!s.ok()) return s.WithContext("stored config/root");
      root.secret_key = std::move(stored->secret);
      unusable = InstallRoot(std::move(root), /*persist=*/false).WithContext("stored config/root");
    }
    if (unusable.ok()) return Status();
    Log(LogLevel::kWarning, "mount " + options_.mount + ": config/root cannot be used: " + unusable.ToString());
    std::lock_guard<std::mutex> lock(config_mu_);
    root_unusable_ = std::move(unusable);
    return Status();
  }

  // A copy of config/root as it is now.
  RootConfig CurrentRoot() {
    std::lock_guard<std::mutex> lock(config_mu_);
    return root_;
  }

  // Makes `next` the root configuration: checks its template, builds its
  // provider, runs `before_commit` (the audit record) and with `persist`
  // stores it (the secret apart, for the store to seal), all without
  // config_mu_, so issuance and revocation never wait for the audit sink or
  // the store's fsync; only the swap takes it. Nothing changes on error.
  // REQUIRES: config_write_mu_ held (writers take turns).
  Status InstallRoot(RootConfig next, bool persist, const std::function<Status()>& before_commit = {}) {
    Result<Prepared> prepared = PrepareRoot(next, persist, before_commit);
    if (!prepared.ok()) return prepared.status();
    std::lock_guard<std::mutex> lock(config_mu_);
    Swap(std::move(next), std::move(*prepared));
    return Status();
  }

  struct Prepared {
    core::UsernameTemplate name_template;
    std::shared_ptr<IamProvider> provider;  // null: keep the host's
  };

  Result<Prepared> PrepareRoot(const RootConfig& next, bool persist, const std::function<Status()>& before_commit) {
    Result<core::UsernameTemplate> parsed = core::UsernameTemplate::Parse(next.username_template);
    if (!parsed.ok()) return parsed.status();
    Prepared prepared{std::move(*parsed), nullptr};
    if (options_.provider == nullptr) {
      AwsProviderConfig aws;
      aws.credentials = core::RootCredentials(next);
      aws.region = next.region;
      aws.iam_endpoint = next.iam_endpoint;
      aws.sts_endpoint = next.sts_endpoint;
      aws.sts_region = next.sts_region;
      aws.max_retries = next.max_retries;
      aws.transport = options_.transport;
      aws.clock = options_.clock;
      aws.on_call = [this](const AwsCallRecord& call) { metrics_.AwsCall(call); };
      Result<std::unique_ptr<IamProvider>> made = NewAwsIamProvider(std::move(aws));
      if (!made.ok()) return made.status();
      prepared.provider = std::move(*made);
    }
    if (before_commit) {
      Status go = before_commit();
      if (!go.ok()) return go;
    }
    if (persist) {
      Status stored = store()->PutConfig(options_.mount, core::kRootConfigKey,
                                         ConfigEntry{core::RootJson(next), next.secret_key});
      if (!stored.ok()) return stored.WithContext("storing config/root (nothing was changed)");
    }
    return prepared;
  }

  // REQUIRES: config_mu_ held.
  void Swap(RootConfig next, Prepared prepared) {
    root_ = std::move(next);
    template_ = std::make_shared<core::UsernameTemplate>(std::move(prepared.name_template));
    if (prepared.provider) provider_ = std::move(prepared.provider);
    root_unusable_ = Status();
  }

  Result<std::string> ReadRootConfig() {
    std::lock_guard<std::mutex> lock(config_mu_);
    return core::RootJson(root_);
  }

  Status WriteLeaseConfig(std::string_view json) {
    AuditedChange change(*audit_, events_->Event("config.write", "config/lease"));
    std::lock_guard<std::mutex> writing(config_write_mu_);  // audit and store outside config_mu_
    Result<LeaseConfig> next = core::ParseLeaseConfig(json);
    Status s = next.status();
    if (s.ok()) s = change.Commit();
    if (s.ok()) {
      s = store()->PutConfig(options_.mount, core::kLeaseConfigKey,
                             ConfigEntry{core::LeaseConfigJson(*next), SecretString()});
    }
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(config_mu_);
      lease_ = *next;
    }
    return change.Finish(s);
  }

  Result<std::string> ReadLeaseConfig() {
    std::lock_guard<std::mutex> lock(config_mu_);
    return core::LeaseConfigJson(lease_);
  }

  // --- roles --------------------------------------------------------------------

  Status WriteRole(std::string_view name, std::string_view json) {
    AuditedChange change(*audit_, events_->Role("role.write", name));
    std::lock_guard<std::mutex> lock(roles_mu_);  // read-merge-write is one step
    Result<Role> existing = store()->GetRole(options_.mount, name);
    Status s = existing.ok() || existing.status().Is(ErrorCode::kNotFound) ? Status() : existing.status();
    Result<Role> role = s.ok() ? ApplyRoleJson(name, json, existing.ok() ? &*existing : nullptr) : Result<Role>(s);
    s = role.status();
    if (s.ok()) s = change.Commit();
    if (s.ok()) s = store()->PutRole(options_.mount, *role);
    return change.Finish(s);
  }

  Status DeleteRole(std::string_view name, bool revoke_leases) {
    AuditedChange change(*audit_, events_->Role("role.delete", name));
    Status s = store()->GetRole(options_.mount, name).status();
    if (s.ok() && revoke_leases) {
      Result<std::size_t> revoked = RevokePrefix(options_.mount + "/creds/" + std::string(name) + "/", {}, "role_deleted");
      if (!revoked.ok()) s = revoked.status().WithContext("role kept");
    }
    if (s.ok()) s = change.Commit();
    if (s.ok()) s = store()->DeleteRole(options_.mount, name);
    return change.Finish(s);
  }

  // --- issuing ------------------------------------------------------------------

  Result<IssuedCredential> Issue(std::string_view role_name, const IssueOptions& options) {
    Result<Role> role = store()->GetRole(options_.mount, role_name);
    if (!role.ok()) {
      Status s = role.status();
      if (s.Is(ErrorCode::kNotFound)) {
        s = Status::NotFound("role \"" + std::string(role_name) + "\" not found on mount " + options_.mount);
      }
      return Audit(events_->Issue(role_name), s);
    }
    const auto started = options_.clock->Monotonic();
    Result<IssuedCredential> issued = IssueWithSlot(*role, options);
    metrics_.Operation("issue", CredentialTypeName(role->credential_type), issued.ok(),
                       options_.clock->Monotonic() - started);
    if (!issued.ok()) return Audit(events_->Issue(role_name), issued.status());
    Status recorded = RecordIssued(events_->Issue(role_name), *issued);
    if (!recorded.ok()) return recorded;
    return issued;
  }

  // Records an issued credential. If that fails in fail-closed mode, the
  // credential is revoked at once, so no unrecorded secret is handed out.
  Status RecordIssued(AuditEvent event, const IssuedCredential& issued) {
    event.lease_id = issued.lease_id;
    event.user_name = issued.user_name;
    event.arn = issued.arn;
    event.access_key_id = issued.credentials.access_key_id();
    Result<std::string> secret = Hmac(issued.credentials.secret_access_key().view());
    Result<std::string> token = issued.credentials.session_token().empty() ? Result<std::string>(std::string())
                                                                           : Hmac(issued.credentials.session_token().view());
    Status recorded = secret.ok() ? token.status() : secret.status();
    if (recorded.ok()) {
      event.secret_key_hmac = *secret;
      event.session_token_hmac = *token;
      recorded = audit_->Record(event);
    }
    if (recorded.ok() || audit_->fail_open()) return Status();
    Result<Lease> lease = OwnLease(issued.lease_id);
    Status undone = lease.ok() ? RevokeInAwsAndStore(*lease) : lease.status();
    return core::AuditTrail::Failure(event, recorded,
                        undone.ok() ? "the credential was revoked at once"
                                    : "revoking the credential failed too (" + undone.ToString() +
                                          "); its lease stays and expires as usual");
  }

  // --- leases -------------------------------------------------------------------

  Result<Lease> Renew(std::string_view id, seconds increment) {
    AuditEvent event = events_->Event("lease.renew", std::string(id));
    event.lease_id = std::string(id);
    AuditedChange change(*audit_, std::move(event));
    const auto started = options_.clock->Monotonic();
    Result<Lease> lease = OwnLease(id);
    if (lease.ok()) change.event() = events_->OfLease("lease.renew", *lease);
    const std::string type = lease.ok() ? CredentialTypeName(lease->type) : "";
    Result<Lease> renewed = lease.ok() ? Extend(std::move(*lease), increment, change) : lease;
    Status finished = change.Finish(renewed.status());
    if (!type.empty()) metrics_.Operation("renew", type, finished.ok(), options_.clock->Monotonic() - started);
    if (!finished.ok()) return finished;
    return renewed;
  }

  // The renewal itself; `change` is committed just before the store write.
  Result<Lease> Extend(Result<Lease> lease, seconds increment, AuditedChange& change) {
    if (!lease->renewable) {
      return Status::InvalidArgument("lease_id", "lease " + lease->id + " is not renewable (" +
                                                     CredentialTypeName(lease->type) + " credentials end at their expiration)");
    }
    if (lease->state != LeaseState::kActive) {
      return Status::Conflict("lease " + lease->id + " is irrevocable and cannot be renewed");
    }
    const TimePoint now = options_.clock->Now();
    if (now >= lease->expires_at) return Status::NotFound("lease " + lease->id + " has expired");
    if (increment.count() <= 0) {
      Result<Role> role = store()->GetRole(options_.mount, lease->role);
      increment = UserLifetime(role.ok() ? &*role : nullptr, std::nullopt).ttl;
    }
    lease->expires_at = std::min(now + increment, lease->max_expires_at);
    lease->due_at = lease->expires_at;
    Status s = change.Commit();
    if (s.ok()) s = store()->PutLease(*lease);
    if (!s.ok()) return s;
    return lease;
  }

  // The lease, if it is this mount's: another mount's lease is not found
  // here, so it is never renewed or revoked with this mount's keys.
  Result<Lease> OwnLease(std::string_view id) {
    Result<Lease> lease = store()->GetLease(id);
    if (lease.ok() && lease->mount != options_.mount) {
      return Status::NotFound("no lease " + std::string(id) + " in mount " + options_.mount);
    }
    return lease;
  }

  // Leases under a prefix, read as Vault reads one: by path segments, so
  // "aws" means "aws/" and never "aws-us-west-2/...". A prefix that is a
  // lease id names that lease alone.
  Result<std::string> SegmentPrefix(std::string_view prefix) {
    std::string p(prefix);
    if (p.empty() || p.back() == '/') return p;
    Result<Lease> exact = OwnLease(p);
    if (exact.ok()) return p;
    if (!exact.status().Is(ErrorCode::kNotFound)) return exact.status();
    return p + "/";
  }

  Result<std::vector<Lease>> ListLeases(std::string_view prefix, std::string_view after, std::size_t limit) {
    Result<std::string> p = SegmentPrefix(prefix);
    if (!p.ok()) return p.status();
    return store()->ListLeases(options_.mount, *p, after, limit);
  }

  Status Revoke(std::string_view id) {
    Result<Lease> lease = OwnLease(id);
    if (!lease.ok()) {
      AuditEvent event = events_->Event("lease.revoke", std::string(id));
      event.reason = "manual";
      event.lease_id = std::string(id);
      return Audit(std::move(event), lease.status());
    }
    return RevokeLease(*lease, "manual");
  }

  Result<std::size_t> RevokePrefix(std::string_view prefix, const ProgressFunction& progress,
                                   const char* reason = "prefix") {
    std::vector<std::pair<std::string, Status>> failures;
    std::size_t revoked = 0;
    Result<std::size_t> seen = ForEachLease(prefix, progress, [&](const Lease& lease, std::mutex& mu) {
      Status s = RevokeLease(lease, reason);
      std::lock_guard<std::mutex> lock(mu);
      if (s.ok()) {
        ++revoked;
      } else {
        failures.emplace_back(lease.id, s);
      }
    });
    if (!seen.ok()) return seen.status().WithContext(std::to_string(revoked) + " leases were revoked before");
    if (failures.empty()) return revoked;
    std::string message = std::to_string(failures.size()) + " of " + std::to_string(*seen) +
                          " leases under \"" + std::string(prefix) + "\" could not be revoked:";
    for (const auto& [lease_id, status] : failures) message += " " + lease_id + " (" + status.ToString() + ");";
    return Status::Make(failures.front().second.code(), message);
  }

  Result<ForceRevokeReport> ForceRevoke(std::string_view prefix, const ProgressFunction& progress) {
    ForceRevokeReport report;
    Result<std::size_t> seen = ForEachLease(prefix, progress, [&](const Lease& lease, std::mutex& mu) {
      Status s = RevokeInAwsAndStore(lease);
      if (!s.ok()) {
        Status dropped = store()->DeleteLease(lease.id);
        s = s.WithContext(dropped.ok() ? "lease dropped anyway (force); the IAM user may remain"
                                       : "dropping the lease failed too: " + dropped.ToString());
      }
      Audit(events_->Revoke(lease, "force"), s);
      std::lock_guard<std::mutex> lock(mu);
      if (s.ok()) {
        report.revoked.push_back(lease.id);
      } else {
        report.dropped.emplace_back(lease.id, s.ToString());
      }
    });
    if (!seen.ok()) return seen.status();
    return report;
  }

  std::size_t Tick() {
    const TimePoint now = options_.clock->Now();
    MaybeRecover(now);
    Result<std::vector<Lease>> due = store()->DueLeases(options_.mount, now, kDueBatch);
    if (!due.ok()) return 0;
    core::RunParallel(*due, options_.revocation.parallelism, [&](const Lease& lease, std::mutex&) { RevokeDue(lease, now); });
    return due->size();
  }

  Result<TidyReport> Tidy(const TidyOptions& options) {
    Result<std::shared_ptr<IamProvider>> provider = Provider();
    if (!provider.ok()) return provider.status();
    TidyReport report;
    Status s;
    {
      std::lock_guard<std::mutex> lock(recovery_mu_);
      s = dead_issuances_->Sweep(**provider, options_.clock->Now(), core::DeadIssuances::Pass::kFull, &report);
    }
    auto on_delete = [this](const std::string& user, const Status& deleted) {
      AuditEvent event = events_->Event("orphan.delete", "tidy");
      event.user_name = user;
      Audit(std::move(event), deleted);
    };
    if (!s.ok()) return s;
    // Finding orphans needs iam:ListUsers and iam:GetUser on every user
    // under the path (the README's "+ tidy" policy): without them tidy still
    // does the rest, and reports why it could not search.
    Status searched = core::FindOrphans(*store(), **provider, options_.mount, options, &report, on_delete);
    if (!searched.ok()) report.failed.emplace_back("orphan search", searched.ToString());
    Result<std::vector<Lease>> irrevocable = store()->IrrevocableLeases(options_.mount, options_.mount + "/");
    if (!irrevocable.ok()) return irrevocable.status();
    report.irrevocable = std::move(*irrevocable);
    return report;
  }

  // Fail-closed: the rotation is recorded (with the key it replaces) before
  // AWS is touched, and refused if that cannot be recorded; once done, a
  // second event names the new key.
  Result<std::string> RotateRoot() {
    AuditEvent started = events_->Event("config.rotate_root", "config/rotate-root");
    {
      std::lock_guard<std::mutex> lock(config_mu_);
      started.access_key_id = root_.access_key;
    }
    AuditedChange change(*audit_, std::move(started));
    Status allowed = change.Commit();
    if (!allowed.ok()) return allowed;
    Result<std::string> rotated = rotation_->Rotate();
    Status finished = change.Finish(rotated.status());
    if (!finished.ok()) return finished;
    AuditEvent done = events_->Event("config.rotate_root", "config/rotate-root");
    done.access_key_id = *rotated;
    Audit(std::move(done), Status());
    return rotated;
  }

  const std::string& mount() const { return options_.mount; }

  // On opening: issuances whose process died are undone at once, not at the
  // first Tick (a command-line engine has no worker to tick).
  void RollBackDeadIssuances() {
    std::lock_guard<std::mutex> lock(recovery_mu_);
    Result<std::shared_ptr<IamProvider>> provider = Provider();
    if (provider.ok()) dead_issuances_->Sweep(**provider, options_.clock->Now(), core::DeadIssuances::Pass::kOwnersGone, nullptr);
  }

  LeaseStore* store() const { return options_.store; }

 private:
  // --- issuing, per type ------------------------------------------------------

  Result<IssuedCredential> IssueForRole(const Role& role, const IssueOptions& options) {
    Result<std::shared_ptr<IamProvider>> provider = Provider();
    if (!provider.ok()) return provider.status();
    IamProvider& aws = **provider;
    std::shared_ptr<const core::UsernameTemplate> name_template;
    LeaseConfig lease_config;
    {
      std::lock_guard<std::mutex> lock(config_mu_);
      name_template = template_;
      lease_config = lease_;
    }
    const core::IssuanceContext context{
        options_.mount, *store(), *options_.clock, aws, *name_template, lease_config, in_flight_,
        [&](const Intent& intent, const Status& why) { return Abandon(aws, intent, why); },
        [this] { NoteUntagged(); }};
    return core::IssueCredential(context, role, options);
  }

  core::Lifetime UserLifetime(const Role* role, std::optional<seconds> requested) {
    std::lock_guard<std::mutex> lock(config_mu_);
    return core::UserLifetime(role, lease_, requested);
  }

  // Logged once per engine: what creating users untagged costs.
  void NoteUntagged() {
    if (untagged_noted_.exchange(true)) return;
    Log(LogLevel::kWarning,
        "mount " + options_.mount + ": the root IAM user may not iam:TagUser, so new IAM users are created without "
        "the dyncreds-lease and dyncreds-mount tags. Issuance and crash recovery still work (an untagged user is "
        "proven ours by its name and creation time), but tidy cannot find orphaned users of this mount. Grant "
        "iam:TagUser to tag them again.");
  }

  // An issuance that failed after its intent was recorded: removes what it
  // made (only a user tagged with this lease) and the intent. If that fails
  // too, the intent stays and recovery retries it later.
  Status Abandon(IamProvider& provider, const Intent& intent, const Status& why) {
    Result<core::Rollback> undone =
        RollBack(provider, intent, options_.clock->Now(), MayHaveTakenEffect(why));
    if (!undone.ok()) return why.WithContext("cleaning up failed too and will be retried: " + undone.status().ToString());
    return why.WithContext(*undone == core::Rollback::kDone
                               ? "nothing was left behind"
                               : "nothing was left behind so far; if the request lands late, recovery deletes the user");
  }

  // max_active_leases: the slot is held until the issuance returns.
  Result<IssuedCredential> IssueWithSlot(const Role& role, const IssueOptions& options) {
    Result<core::LeaseSlots::Slot> slot = slots_.Reserve(role);
    if (!slot.ok()) return slot.status();
    return IssueForRole(role, options);
  }

  // --- revoking ------------------------------------------------------------------

  Status RevokeLease(const Lease& lease, const char* reason) {
    const auto started = options_.clock->Monotonic();
    Status s = RevokeInAwsAndStore(lease);
    metrics_.Operation("revoke", CredentialTypeName(lease.type), s.ok(), options_.clock->Monotonic() - started);
    if (s.ok() && std::string_view(reason) == "expired") metrics_.RevocationLag(options_.clock->Now() - lease.expires_at);
    return Audit(events_->Revoke(lease, reason), s);
  }

  // Deletes the lease's IAM user (for iam_user), then the lease.
  Status RevokeInAwsAndStore(const Lease& lease) {
    if (lease.type == CredentialType::kIamUser) {
      Result<std::shared_ptr<IamProvider>> provider = Provider();
      if (!provider.ok()) return provider.status().WithContext("revoking lease " + lease.id);
      Status deleted = (*provider)->DeleteUser(lease.user_name);
      if (!deleted.ok()) return deleted.WithContext("revoking lease " + lease.id);
    }
    Status removed = store()->DeleteLease(lease.id);
    return removed.Is(ErrorCode::kNotFound) ? Status() : removed;  // revoked twice at once: fine
  }

  void RevokeDue(Lease lease, TimePoint now) {
    Status s = RevokeLease(lease, "expired");
    if (s.ok()) {
      Log(LogLevel::kInfo, "revoked expired lease " + lease.id);
      return;
    }
    const RevocationOptions& r = options_.revocation;
    const bool became_irrevocable = core::NoteFailedRevocation(&lease, s, now, r, options_.jitter());
    if (!store()->PutLease(lease).ok()) return;
    if (became_irrevocable) {
      Log(LogLevel::kError, "lease " + lease.id + " is irrevocable after " + std::to_string(lease.revoke_attempts) +
                                " attempts (retried every " + FormatTtl(r.irrevocable_retry) + "): " + lease.last_error);
      if (options_.on_irrevocable) options_.on_irrevocable(lease);
    } else {
      Log(LogLevel::kWarning, "revoking lease " + lease.id + " failed (attempt " + std::to_string(lease.revoke_attempts) +
                                  "), retrying at " + timefmt::FormatIso8601(lease.due_at) + ": " + lease.last_error);
    }
  }

  // Runs fn on every lease under `prefix`, a page at a time, telling
  // `progress` after each; returns how many it saw. Leases fn deletes do not
  // disturb the paging.
  template <typename Fn>
  Result<std::size_t> ForEachLease(std::string_view raw_prefix, const ProgressFunction& progress, Fn fn) {
    Result<std::string> prefix = SegmentPrefix(raw_prefix);
    if (!prefix.ok()) return prefix.status();
    std::string after;
    std::size_t seen = 0;
    std::size_t done = 0;
    for (;;) {
      Result<std::vector<Lease>> page = store()->ListLeases(options_.mount, *prefix, after, kPage);
      if (!page.ok()) return page.status();
      if (page->empty()) return seen;
      seen += page->size();
      core::RunParallel(*page, options_.revocation.parallelism, [&](const Lease& lease, std::mutex& mu) {
        fn(lease, mu);
        std::lock_guard<std::mutex> lock(mu);
        ++done;
        if (progress) progress(done, seen);
      });
      after = page->back().id;
    }
  }

  // --- recovery: dead issuances, interrupted rotations ---------------------------

  core::RootRotation::Host RotationHost() {
    core::RootRotation::Host host;
    host.store = options_.store;
    host.mount = options_.mount;
    host.clock = options_.clock;
    host.provider = [this] { return Provider(); };
    host.stored_access_key = [this] {
      std::lock_guard<std::mutex> lock(config_mu_);
      return root_.secret_key.empty() ? std::string() : root_.access_key;
    };
    host.store_key = [this](const AwsCredentials& key) {
      std::lock_guard<std::mutex> writing(config_write_mu_);
      RootConfig next = CurrentRoot();
      next.access_key = key.access_key_id();
      next.secret_key = key.secret_access_key();
      return InstallRoot(std::move(next), /*persist=*/true);
    };
    return host;
  }

  // The provider, or why there is none.
  Result<std::shared_ptr<IamProvider>> Provider() {
    std::lock_guard<std::mutex> lock(config_mu_);
    if (provider_) return provider_;
    if (!root_unusable_.ok()) return root_unusable_;
    return Status::Make(ErrorCode::kUnavailable,
                        "mount " + options_.mount + " has no config/root yet (write access_key and secret_key)");
  }

  // On every Tick: rolls back the issuances whose process is provably gone.
  // Every recovery_interval (and on the first Tick): also those past the
  // grace period, and finishes an interrupted root rotation.
  void MaybeRecover(TimePoint now) {
    std::unique_lock<std::mutex> lock(recovery_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is at it
    Result<std::shared_ptr<IamProvider>> provider = Provider();
    if (!provider.ok()) return;
    const bool full_pass = now >= next_recovery_;
    dead_issuances_->Sweep(**provider, now, full_pass ? core::DeadIssuances::Pass::kFull : core::DeadIssuances::Pass::kOwnersGone,
                           nullptr);
    if (!full_pass) return;
    next_recovery_ = now + options_.revocation.recovery_interval;
    Status recovered = rotation_->Recover(now - options_.revocation.intent_grace);
    if (!recovered.ok()) Log(LogLevel::kWarning, "finishing an interrupted root rotation: " + recovered.ToString());
  }

  // Audited once the rollback has an outcome (not while it settles).
  Result<core::Rollback> RollBack(IamProvider& provider, const Intent& intent, TimePoint now, bool create_may_land) {
    Result<core::Rollback> done = core::RollBackIntent(*store(), provider, intent, now, create_may_land);
    if (done.ok() && *done == core::Rollback::kSettling) return done;
    AuditEvent event = events_->Event("intent.rollback", intent.lease_id);
    event.role = intent.role;
    event.lease_id = intent.lease_id;
    event.user_name = intent.user_name;
    Audit(std::move(event), done.status());  // a rollback only takes away: never blocked by the audit
    return done;
  }

  // --- log and audit -----------------------------------------------------------

  void Log(LogLevel level, const std::string& message) const {
    if (!options_.log || level < options_.log_level) return;
    try {
      options_.log(level, message);
    } catch (...) {  // a host's logger must not take the worker down
    }
  }

  Status Audit(AuditEvent event, Status outcome) const { return audit_->Audit(std::move(event), std::move(outcome)); }
  Result<std::string> Hmac(std::string_view value) const { return audit_->Hmac(value); }

 public:
  Result<std::string> AuditHmac(std::string_view value) { return Hmac(value); }

  Result<MetricsSnapshot> Metrics() {
    MetricsSnapshot m = metrics_.Snapshot();
    m.mount = options_.mount;
    Result<std::vector<Lease>> irrevocable = store()->IrrevocableLeases(options_.mount, options_.mount + "/");
    Result<std::vector<Intent>> intents = store()->ListIntents(options_.mount, TimePoint::max());
    Result<std::vector<std::string>> roles = store()->ListRoles(options_.mount);
    for (Status s : {irrevocable.status(), intents.status(), roles.status()}) {
      if (!s.ok()) return s;
    }
    m.irrevocable_leases = irrevocable->size();
    m.pending_issuances = intents->size();
    for (const std::string& role : *roles) {
      Result<std::size_t> all = store()->CountLeases(options_.mount, role);
      if (!all.ok()) return all.status();
      const auto stuck = std::count_if(irrevocable->begin(), irrevocable->end(),
                                       [&role](const Lease& l) { return l.role == role; });
      m.active_leases[role] = *all - static_cast<std::size_t>(stuck);
    }
    return m;
  }

  EngineOptions options_;
  std::unique_ptr<LeaseStore> owned_store_;

  // Writers of config/root and config/lease take turns on config_write_mu_,
  // and hold config_mu_ (which guards the values) only to read or swap them.
  std::mutex config_write_mu_;
  std::mutex config_mu_;  // root_, lease_, template_, provider_
  RootConfig root_;
  LeaseConfig lease_;
  std::shared_ptr<const core::UsernameTemplate> template_;
  std::shared_ptr<IamProvider> provider_;
  Status root_unusable_;  // why a stored config/root could not be loaded

  std::unique_ptr<core::RootRotation> rotation_;  // made once options_ is complete
  std::mutex recovery_mu_;
  TimePoint next_recovery_;  // the first Tick recovers at once
  std::optional<core::DeadIssuances> dead_issuances_;  // made once options_ is complete; used under recovery_mu_
  core::InFlightIssuances in_flight_;

  core::MetricsRecorder metrics_;
  std::atomic<bool> untagged_noted_{false};

  std::optional<core::AuditTrail> audit_;    // made once options_ is complete
  std::optional<core::AuditEvents> events_;  // likewise

  std::mutex roles_mu_;
  core::LeaseSlots slots_{[this](const std::string& role) { return store()->CountLeases(options_.mount, role); }};

  std::optional<core::RevocationWorker> worker_;
};

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.mount.empty() || options.mount.find('/') != std::string::npos) {
    return Status::InvalidArgument("mount", "must be a non-empty name without '/'");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  Status loaded = impl->Load();
  if (!loaded.ok()) return loaded;
  impl->RollBackDeadIssuances();
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Status Engine::WriteRootConfig(std::string_view json) { return impl_->WriteRootConfig(json); }
Result<std::string> Engine::ReadRootConfig() { return impl_->ReadRootConfig(); }
Status Engine::WriteLeaseConfig(std::string_view json) { return impl_->WriteLeaseConfig(json); }
Result<std::string> Engine::ReadLeaseConfig() { return impl_->ReadLeaseConfig(); }
Status Engine::WriteRole(std::string_view name, std::string_view json) { return impl_->WriteRole(name, json); }
Result<Role> Engine::ReadRole(std::string_view name) { return impl_->store()->GetRole(impl_->mount(), name); }
Result<std::vector<std::string>> Engine::ListRoles() { return impl_->store()->ListRoles(impl_->mount()); }
Status Engine::DeleteRole(std::string_view name, bool revoke_leases) { return impl_->DeleteRole(name, revoke_leases); }
Result<IssuedCredential> Engine::Issue(std::string_view role, const IssueOptions& options) {
  return impl_->Issue(role, options);
}
Result<Lease> Engine::Lookup(std::string_view lease_id) { return impl_->OwnLease(lease_id); }
Result<std::vector<Lease>> Engine::ListLeases(std::string_view prefix, std::string_view after, std::size_t limit) {
  return impl_->ListLeases(prefix, after, limit);
}
Result<Lease> Engine::Renew(std::string_view lease_id, std::chrono::seconds increment) {
  return impl_->Renew(lease_id, increment);
}
Status Engine::Revoke(std::string_view lease_id) { return impl_->Revoke(lease_id); }
Result<std::size_t> Engine::RevokePrefix(std::string_view prefix, const ProgressFunction& progress) {
  return impl_->RevokePrefix(prefix, progress);
}
Result<ForceRevokeReport> Engine::ForceRevoke(std::string_view prefix, const ProgressFunction& progress) {
  return impl_->ForceRevoke(prefix, progress);
}
Result<TidyReport> Engine::Tidy(const TidyOptions& options) { return impl_->Tidy(options); }
Result<std::string> Engine::RotateRoot() { return impl_->RotateRoot(); }
std::size_t Engine::Tick() { return impl_->Tick(); }
Result<std::string> Engine::AuditHmac(std::string_view value) { return impl_->AuditHmac(value); }
Result<MetricsSnapshot> Engine::Metrics() { return impl_->Metrics(); }
const std::string& Engine::mount() const { return impl_->mount(); }

}  // namespace dyncreds
