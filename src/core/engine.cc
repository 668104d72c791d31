// engine.cc: the Engine facade. Each operation is a few steps over the
// mount's parts, each in a file of its own name:
//   config       core/mount_config      config/root, config/lease, the provider
//   issuing      core/issuance          one crash-safe issuance per type
//                core/lease_slots       max_active_leases, held by RAII
//   leases       core/mount_leases      by id and by prefix, paged
//                core/lease_renewal     Vault's renewal rules
//                core/lease_revocation  one, prefix, force, due (with backoff)
//   recovery     core/mount_recovery    dead issuances, interrupted rotations
//                core/root_rotation     rotate-root, crash-safe
//   audit        core/audit_trail       fail-closed records, HMACs of secrets
//                core/audit_events      the events' shapes
//   metrics      core/metrics_recorder
//   the worker   core/revocation_worker Tick on an interval
// Nothing here holds a lock while calling the host (audit, log, store).
#include "dyncreds/engine.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <random>

#include "core/audit_events.h"
#include "core/audit_trail.h"
#include "core/in_flight.h"
#include "core/issuance.h"
#include "core/issuance_rules.h"
#include "core/lease_renewal.h"
#include "core/lease_revocation.h"
#include "core/lease_slots.h"
#include "core/metrics_recorder.h"
#include "core/mount_config.h"
#include "core/mount_leases.h"
#include "core/mount_recovery.h"
#include "core/recovery.h"
#include "core/revocation_worker.h"
#include "core/root_rotation.h"

namespace dyncreds {
namespace {

using std::chrono::seconds;

constexpr std::size_t kDueBatch = 256;  // due leases revoked per Tick

// Options with every default filled in but the store (see Impl).
EngineOptions Completed(EngineOptions options) {
  if (options.clock == nullptr) options.clock = Clock::System();
  if (!options.jitter) {
    options.jitter = [rng = std::make_shared<std::mt19937_64>(std::random_device{}()),
                      mu = std::make_shared<std::mutex>()] {
      std::lock_guard<std::mutex> lock(*mu);
      return std::uniform_real_distribution<double>(0.0, 1.0)(*rng);
    };
  }
  return options;
}

}  // namespace

class Engine::Impl {
 public:
  explicit Impl(EngineOptions options)
      : owned_store_(options.store == nullptr ? NewMemoryLeaseStore() : nullptr),
        options_(Completed(std::move(options))),
        store_(options_.store != nullptr ? *options_.store : *owned_store_),
        audit_(options_.audit, options_.audit_fail_open, &store_,
               [this](const std::string& line) { Log(LogLevel::kError, line); }),
        events_(options_.mount, options_.clock),
        config_(ConfigOptions()),
        leases_(store_, options_.mount),
        revocation_(RevokerOptions()),
        rotation_(RotationHost()),
        recovery_(RecoveryOptions()) {}

  ~Impl() {
    if (worker_) worker_->Stop();  // before any member it uses goes
  }

  // Loads the configuration, undoes the issuances that died with their
  // process, and starts the worker.
  Status Open() {
    Status loaded = config_.Load();
    if (!loaded.ok()) return loaded;
    recovery_.OnOpen(options_.clock->Now());
    if (options_.revocation.background_worker) {
      // A full batch means a backlog (say, after downtime): go on at once.
      worker_.emplace(options_.clock, options_.revocation.poll_interval, [this] { return Tick() == kDueBatch; });
    }
    return Status();
  }

  core::MountConfig& config() { return config_; }
  const core::MountLeases& leases() const { return leases_; }
  const core::LeaseRevocation& revocation() const { return revocation_; }
  LeaseStore& store() { return store_; }
  const std::string& mount() const { return options_.mount; }
  Result<std::string> AuditHmac(std::string_view value) const { return audit_.Hmac(value); }

  // --- roles --------------------------------------------------------------------

  Status WriteRole(std::string_view name, std::string_view json) {
    AuditedChange change(audit_, events_.Role("role.write", name));
    std::lock_guard<std::mutex> lock(roles_mu_);  // read-merge-write is one step
    Result<Role> existing = store_.GetRole(options_.mount, name);
    Status s = existing.ok() || existing.status().Is(ErrorCode::kNotFound) ? Status() : existing.status();
    Result<Role> role = s.ok() ? ApplyRoleJson(name, json, existing.ok() ? &*existing : nullptr) : Result<Role>(s);
    s = role.status();
    if (s.ok()) s = change.Commit();
    if (s.ok()) s = store_.PutRole(options_.mount, *role);
    return change.Finish(s);
  }

  Status DeleteRole(std::string_view name, bool revoke_leases) {
    AuditedChange change(audit_, events_.Role("role.delete", name));
    Status s = store_.GetRole(options_.mount, name).status();
    if (s.ok() && revoke_leases) {
      Result<std::size_t> revoked =
          revocation_.RevokePrefix(options_.mount + "/creds/" + std::string(name) + "/", {}, "role_deleted");
      if (!revoked.ok()) s = revoked.status().WithContext("role kept");
    }
    if (s.ok()) s = change.Commit();
    if (s.ok()) s = store_.DeleteRole(options_.mount, name);
    return change.Finish(s);
  }

  // --- issuing ------------------------------------------------------------------

  Result<IssuedCredential> Issue(std::string_view role_name, const IssueOptions& options) {
    Result<Role> role = store_.GetRole(options_.mount, role_name);
    if (!role.ok()) {
      Status s = role.status();
      if (s.Is(ErrorCode::kNotFound)) {
        s = Status::NotFound("role \"" + std::string(role_name) + "\" not found on mount " + options_.mount);
      }
      return audit_.Audit(events_.Issue(role_name), s);
    }
    const auto started = options_.clock->Monotonic();
    Result<IssuedCredential> issued = IssueWithSlot(*role, options);
    metrics_.Operation("issue", CredentialTypeName(role->credential_type), issued.ok(),
                       options_.clock->Monotonic() - started);
    if (!issued.ok()) return audit_.Audit(events_.Issue(role_name), issued.status());
    Status recorded = RecordIssued(events_.Issue(role_name), *issued);
    if (!recorded.ok()) return recorded;
    return issued;
  }

  // --- leases -------------------------------------------------------------------

  Result<Lease> Renew(std::string_view id, seconds increment) {
    AuditEvent event = events_.Event("lease.renew", std::string(id));
    event.lease_id = std::string(id);
    AuditedChange change(audit_, std::move(event));
    const auto started = options_.clock->Monotonic();
    Result<Lease> lease = leases_.Get(id);
    if (lease.ok()) change.event() = events_.OfLease("lease.renew", *lease);
    const std::string type = lease.ok() ? CredentialTypeName(lease->type) : "";
    Result<Lease> renewed = lease.ok() ? Extend(*lease, increment, change) : lease;
    Status finished = change.Finish(renewed.status());
    if (!type.empty()) metrics_.Operation("renew", type, finished.ok(), options_.clock->Monotonic() - started);
    if (!finished.ok()) return finished;
    return renewed;
  }

  // --- maintenance --------------------------------------------------------------

  std::size_t Tick() {
    const TimePoint now = options_.clock->Now();
    recovery_.OnTick(now);
    return revocation_.RevokeDue(now, kDueBatch);
  }

  Result<TidyReport> Tidy(const TidyOptions& options) {
    Result<std::shared_ptr<IamProvider>> provider = config_.Provider();
    if (!provider.ok()) return provider.status();
    TidyReport report;
    Status s = recovery_.Sweep(**provider, options_.clock->Now(), &report);
    if (!s.ok()) return s;
    // Finding orphans needs iam:ListUsers and iam:GetUser on every user
    // under the path (the README's "+ tidy" policy): without them tidy still
    // does the rest, and reports why it could not search.
    auto on_delete = [this](const std::string& user, const Status& deleted) {
      AuditEvent event = events_.Event("orphan.delete", "tidy");
      event.user_name = user;
      audit_.Audit(std::move(event), deleted);
    };
    Status searched = core::FindOrphans(store_, **provider, options_.mount, options, &report, on_delete);
    if (!searched.ok()) report.failed.emplace_back("orphan search", searched.ToString());
    Result<std::vector<Lease>> irrevocable = store_.IrrevocableLeases(options_.mount, options_.mount + "/");
    if (!irrevocable.ok()) return irrevocable.status();
    report.irrevocable = std::move(*irrevocable);
    return report;
  }

  // Fail-closed: the rotation is recorded (with the key it replaces) before
  // AWS is touched, and refused if that cannot be recorded; once done, a
  // second event names the new key.
  Result<std::string> RotateRoot() {
    AuditEvent started = events_.Event("config.rotate_root", "config/rotate-root");
    started.access_key_id = config_.AccessKey();
    AuditedChange change(audit_, std::move(started));
    Status allowed = change.Commit();
    if (!allowed.ok()) return allowed;
    Result<std::string> rotated = rotation_.Rotate();
    Status finished = change.Finish(rotated.status());
    if (!finished.ok()) return finished;
    AuditEvent done = events_.Event("config.rotate_root", "config/rotate-root");
    done.access_key_id = *rotated;
    audit_.Audit(std::move(done), Status());
    return rotated;
  }

  Result<MetricsSnapshot> Metrics() {
    MetricsSnapshot m = metrics_.Snapshot();
    Status s = core::AddLeaseFigures(store_, options_.mount, &m);
    if (!s.ok()) return s;
    return m;
  }

 private:
  using AuditedChange = core::AuditTrail::Change;
  using MountConfig = core::MountConfig;

  // max_active_leases: the slot is held until the issuance returns.
  Result<IssuedCredential> IssueWithSlot(const Role& role, const IssueOptions& options) {
    Result<core::LeaseSlots::Slot> slot = slots_.Reserve(role);
    if (!slot.ok()) return slot.status();
    Result<std::shared_ptr<IamProvider>> provider = config_.Provider();
    if (!provider.ok()) return provider.status();
    IamProvider& aws = **provider;
    const MountConfig::Snapshot config = config_.Current();
    const core::IssuanceContext context{
        options_.mount, store_, *options_.clock, aws, *config.name_template, config.lease, in_flight_,
        [&](const Intent& intent, const Status& why) { return Abandon(aws, intent, why); },
        [this] { NoteUntagged(); }};
    return core::IssueCredential(context, role, options);
  }

  // An issuance that failed after its intent was recorded: removes what it
  // made (only a user tagged with this lease) and the intent. If that fails
  // too, the intent stays and recovery retries it later.
  Status Abandon(IamProvider& provider, const Intent& intent, const Status& why) {
    Result<core::Rollback> undone = recovery_.RollBack(provider, intent, options_.clock->Now(), MayHaveTakenEffect(why));
    if (!undone.ok()) return why.WithContext("cleaning up failed too and will be retried: " + undone.status().ToString());
    return why.WithContext(*undone == core::Rollback::kDone
                               ? "nothing was left behind"
                               : "nothing was left behind so far; if the request lands late, recovery deletes the user");
  }

  // Records an issued credential. If that fails in fail-closed mode, the
  // credential is revoked at once, so no unrecorded secret is handed out.
  Status RecordIssued(AuditEvent event, const IssuedCredential& issued) {
    event.lease_id = issued.lease_id;
    event.user_name = issued.user_name;
    event.arn = issued.arn;
    event.access_key_id = issued.credentials.access_key_id();
    Result<std::string> secret = audit_.Hmac(issued.credentials.secret_access_key().view());
    Result<std::string> token = issued.credentials.session_token().empty()
                                    ? Result<std::string>(std::string())
                                    : audit_.Hmac(issued.credentials.session_token().view());
    Status recorded = secret.ok() ? token.status() : secret.status();
    if (recorded.ok()) {
      event.secret_key_hmac = *secret;
      event.session_token_hmac = *token;
      recorded = audit_.Record(event);
    }
    if (recorded.ok() || audit_.fail_open()) return Status();
    Result<Lease> lease = leases_.Get(issued.lease_id);
    Status undone = lease.ok() ? revocation_.RevokeInAwsAndStore(*lease) : lease.status();
    return core::AuditTrail::Failure(event, recorded,
                                     undone.ok() ? "the credential was revoked at once"
                                                 : "revoking the credential failed too (" + undone.ToString() +
                                                       "); its lease stays and expires as usual");
  }

  // The renewal itself; `change` is committed just before the store write.
  Result<Lease> Extend(const Lease& lease, seconds increment, AuditedChange& change) {
    const TimePoint now = options_.clock->Now();
    Status renewable = core::CheckRenewable(lease, now);
    if (!renewable.ok()) return renewable;
    if (increment.count() <= 0) {  // the role's default, or the mount's
      Result<Role> role = store_.GetRole(options_.mount, lease.role);
      increment = core::UserLifetime(role.ok() ? &*role : nullptr, config_.Current().lease, std::nullopt).ttl;
    }
    Lease renewed = core::Renewed(lease, now, increment);
    Status s = change.Commit();
    if (s.ok()) s = store_.PutLease(renewed);
    if (!s.ok()) return s;
    return renewed;
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

  void Log(LogLevel level, const std::string& message) const {
    if (!options_.log || level < options_.log_level) return;
    try {
      options_.log(level, message);
    } catch (...) {  // a host's logger must not take the worker down
    }
  }

  // --- the parts' options, from the engine's ----------------------------------

  std::function<void(LogLevel, const std::string&)> LogFn() {
    return [this](LogLevel level, const std::string& message) { Log(level, message); };
  }

  MountConfig::Options ConfigOptions() {
    MountConfig::Options o;
    o.mount = options_.mount;
    o.store = &store_;
    o.clock = options_.clock;
    o.host_provider = options_.provider;
    o.transport = options_.transport;
    o.on_aws_call = [this](const AwsCallRecord& call) { metrics_.AwsCall(call); };
    o.audit = &audit_;
    o.events = &events_;
    o.log = LogFn();
    return o;
  }

  core::LeaseRevocation::Options RevokerOptions() {
    core::LeaseRevocation::Options o;
    o.leases = &leases_;
    o.store = &store_;
    o.clock = options_.clock;
    o.config = &config_;
    o.metrics = &metrics_;
    o.audit = &audit_;
    o.events = &events_;
    o.revocation = options_.revocation;
    o.jitter = options_.jitter;
    o.on_irrevocable = options_.on_irrevocable;
    o.log = LogFn();
    return o;
  }

  core::RootRotation::Host RotationHost() {
    core::RootRotation::Host host;
    host.store = &store_;
    host.mount = options_.mount;
    host.clock = options_.clock;
    host.provider = [this] { return config_.Provider(); };
    host.stored_access_key = [this] { return config_.StoredAccessKey(); };
    host.store_key = [this](const AwsCredentials& key) { return config_.StoreKey(key); };
    return host;
  }

  core::MountRecovery::Options RecoveryOptions() {
    core::MountRecovery::Options o;
    o.mount = options_.mount;
    o.store = &store_;
    o.config = &config_;
    o.in_flight = &in_flight_;
    o.rotation = &rotation_;
    o.intent_grace = options_.revocation.intent_grace;
    o.recovery_interval = options_.revocation.recovery_interval;
    o.audit = &audit_;
    o.events = &events_;
    o.log = LogFn();
    return o;
  }

  // Declared in the order they are made: each part is given the ones above it.
  std::unique_ptr<LeaseStore> owned_store_;  // when the host gives none
  const EngineOptions options_;
  LeaseStore& store_;
  core::MetricsRecorder metrics_;
  core::InFlightIssuances in_flight_;
  core::AuditTrail audit_;
  core::AuditEvents events_;
  MountConfig config_;
  core::MountLeases leases_;
  core::LeaseRevocation revocation_;
  core::RootRotation rotation_;
  core::MountRecovery recovery_;

  std::mutex roles_mu_;  // role writes take turns
  core::LeaseSlots slots_{[this](const std::string& role) { return store_.CountLeases(options_.mount, role); }};
  std::atomic<bool> untagged_noted_{false};
  std::optional<core::RevocationWorker> worker_;  // last: stopped first
};

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.mount.empty() || options.mount.find('/') != std::string::npos) {
    return Status::InvalidArgument("mount", "must be a non-empty name without '/'");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  Status opened = impl->Open();
  if (!opened.ok()) return opened;
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Status Engine::WriteRootConfig(std::string_view json) { return impl_->config().WriteRoot(json); }
Result<std::string> Engine::ReadRootConfig() { return impl_->config().ReadRoot(); }
Status Engine::WriteLeaseConfig(std::string_view json) { return impl_->config().WriteLease(json); }
Result<std::string> Engine::ReadLeaseConfig() { return impl_->config().ReadLease(); }
Status Engine::WriteRole(std::string_view name, std::string_view json) { return impl_->WriteRole(name, json); }
Result<Role> Engine::ReadRole(std::string_view name) { return impl_->store().GetRole(impl_->mount(), name); }
Result<std::vector<std::string>> Engine::ListRoles() { return impl_->store().ListRoles(impl_->mount()); }
Status Engine::DeleteRole(std::string_view name, bool revoke_leases) { return impl_->DeleteRole(name, revoke_leases); }
Result<IssuedCredential> Engine::Issue(std::string_view role, const IssueOptions& options) {
  return impl_->Issue(role, options);
}
Result<Lease> Engine::Lookup(std::string_view lease_id) { return impl_->leases().Get(lease_id); }
Result<std::vector<Lease>> Engine::ListLeases(std::string_view prefix, std::string_view after, std::size_t limit) {
  return impl_->leases().List(prefix, after, limit);
}
Result<Lease> Engine::Renew(std::string_view lease_id, std::chrono::seconds increment) {
  return impl_->Renew(lease_id, increment);
}
Status Engine::Revoke(std::string_view lease_id) { return impl_->revocation().Revoke(lease_id); }
Result<std::size_t> Engine::RevokePrefix(std::string_view prefix, const ProgressFunction& progress) {
  return impl_->revocation().RevokePrefix(prefix, progress);
}
Result<ForceRevokeReport> Engine::ForceRevoke(std::string_view prefix, const ProgressFunction& progress) {
  return impl_->revocation().ForceRevoke(prefix, progress);
}
Result<TidyReport> Engine::Tidy(const TidyOptions& options) { return impl_->Tidy(options); }
Result<std::string> Engine::RotateRoot() { return impl_->RotateRoot(); }
std::size_t Engine::Tick() { return impl_->Tick(); }
Result<std::string> Engine::AuditHmac(std::string_view value) { return impl_->AuditHmac(value); }
Result<MetricsSnapshot> Engine::Metrics() { return impl_->Metrics(); }
const std::string& Engine::mount() const { return impl_->mount(); }

}  // namespace dyncreds
