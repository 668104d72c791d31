#include "core/mount_config.h"

#include "dyncreds/aws_iam_provider.h"

namespace dyncreds::core {

MountConfig::MountConfig(Options options)
    : options_(std::move(options)),
      template_(std::make_shared<UsernameTemplate>(UsernameTemplate::Parse(kDefaultUsernameTemplate).value())) {
  if (options_.host_provider != nullptr) {
    provider_ = std::shared_ptr<IamProvider>(options_.host_provider, [](IamProvider*) {});
  }
}

Status MountConfig::Load() {
  Result<ConfigEntry> lease = options_.store->GetConfig(options_.mount, kLeaseConfigKey);
  if (lease.ok()) {
    Result<LeaseConfig> parsed = ParseLeaseConfig(lease->json);
    if (!parsed.ok()) return parsed.status().WithContext("stored config/lease");
    std::lock_guard<std::mutex> lock(mu_);
    lease_ = *parsed;
  } else if (!lease.status().Is(ErrorCode::kNotFound)) {
    return lease.status();
  }
  return LoadRoot();
}

Status MountConfig::LoadRoot() {
  Result<ConfigEntry> stored = options_.store->GetConfig(options_.mount, kRootConfigKey);
  if (stored.status().Is(ErrorCode::kNotFound)) return Status();
  if (!stored.ok() && !stored.status().Is(ErrorCode::kEncryptionKey)) return stored.status();
  std::lock_guard<std::mutex> writing(write_mu_);
  Status unusable = stored.status();
  if (stored.ok()) {
    RootConfig root;
    Status s = MergeRootJson(stored->json, &root);
    if (!s.ok()) return s.WithContext("stored config/root");
    root.secret_key = std::move(stored->secret);
    unusable = InstallRoot(std::move(root), /*persist=*/false).WithContext("stored config/root");
  }
  if (unusable.ok()) return Status();
  if (options_.log) {
    options_.log(LogLevel::kWarning, "mount " + options_.mount + ": config/root cannot be used: " + unusable.ToString());
  }
  std::lock_guard<std::mutex> lock(mu_);
  root_unusable_ = std::move(unusable);
  return Status();
}

Status MountConfig::WriteRoot(std::string_view json) {
  AuditTrail::Change change(*options_.audit, options_.events->Event("config.write", "config/root"));
  std::lock_guard<std::mutex> writing(write_mu_);
  RootConfig next = CurrentRoot();
  next.username_template = kDefaultUsernameTemplate;  // omitted: reset, as in Vault
  Status s = MergeRootJson(json, &next);
  change.event().access_key_id = next.access_key;
  if (s.ok() && !next.secret_key.empty()) {
    Result<std::string> hmac = options_.audit->Hmac(next.secret_key.view());
    if (hmac.ok()) change.event().secret_key_hmac = *hmac;
    s = hmac.status();
  }
  if (s.ok()) s = InstallRoot(std::move(next), /*persist=*/true, [&change] { return change.Commit(); });
  return change.Finish(s);
}

std::string MountConfig::ReadRoot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return RootJson(root_);
}

Status MountConfig::WriteLease(std::string_view json) {
  AuditTrail::Change change(*options_.audit, options_.events->Event("config.write", "config/lease"));
  std::lock_guard<std::mutex> writing(write_mu_);
  Result<LeaseConfig> next = ParseLeaseConfig(json);
  Status s = next.status();
  if (s.ok()) s = change.Commit();
  if (s.ok()) {
    s = options_.store->PutConfig(options_.mount, kLeaseConfigKey, ConfigEntry{LeaseConfigJson(*next), SecretString()});
  }
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    lease_ = *next;
  }
  return change.Finish(s);
}

std::string MountConfig::ReadLease() const {
  std::lock_guard<std::mutex> lock(mu_);
  return LeaseConfigJson(lease_);
}

MountConfig::Snapshot MountConfig::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Snapshot{template_, lease_};
}

Result<std::shared_ptr<IamProvider>> MountConfig::Provider() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (provider_) return provider_;
  if (!root_unusable_.ok()) return root_unusable_;
  return Status::Make(ErrorCode::kUnavailable,
                      "mount " + options_.mount + " has no config/root yet (write access_key and secret_key)");
}

std::string MountConfig::AccessKey() const {
  std::lock_guard<std::mutex> lock(mu_);
  return root_.access_key;
}

std::string MountConfig::StoredAccessKey() const {
  std::lock_guard<std::mutex> lock(mu_);
  return root_.secret_key.empty() ? std::string() : root_.access_key;
}

Status MountConfig::StoreKey(const AwsCredentials& key) {
  std::lock_guard<std::mutex> writing(write_mu_);
  RootConfig next = CurrentRoot();
  next.access_key = key.access_key_id();
  next.secret_key = key.secret_access_key();
  return InstallRoot(std::move(next), /*persist=*/true);
}

RootConfig MountConfig::CurrentRoot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return root_;
}

// Makes `next` the root configuration: checks its template, builds its
// provider, runs `before_commit` (the audit record) and with `persist`
// stores it (the secret apart, for the store to seal), all without mu_;
// only the swap takes it. Nothing changes on error.
// REQUIRES: write_mu_ held.
Status MountConfig::InstallRoot(RootConfig next, bool persist, const std::function<Status()>& before_commit) {
  Result<Prepared> prepared = PrepareRoot(next, persist, before_commit);
  if (!prepared.ok()) return prepared.status();
  std::lock_guard<std::mutex> lock(mu_);
  root_ = std::move(next);
  template_ = std::make_shared<UsernameTemplate>(std::move(prepared->name_template));
  if (prepared->provider) provider_ = std::move(prepared->provider);
  root_unusable_ = Status();
  return Status();
}

Result<MountConfig::Prepared> MountConfig::PrepareRoot(const RootConfig& next, bool persist,
                                                       const std::function<Status()>& before_commit) {
  Result<UsernameTemplate> parsed = UsernameTemplate::Parse(next.username_template);
  if (!parsed.ok()) return parsed.status();
  Prepared prepared{std::move(*parsed), nullptr};
  if (options_.host_provider == nullptr) {
    AwsProviderConfig aws;
    aws.credentials = RootCredentials(next);
    aws.region = next.region;
    aws.iam_endpoint = next.iam_endpoint;
    aws.sts_endpoint = next.sts_endpoint;
    aws.sts_region = next.sts_region;
    aws.max_retries = next.max_retries;
    aws.transport = options_.transport;
    aws.clock = options_.clock;
    aws.on_call = options_.on_aws_call;
    Result<std::unique_ptr<IamProvider>> made = NewAwsIamProvider(std::move(aws));
    if (!made.ok()) return made.status();
    prepared.provider = std::move(*made);
  }
  if (before_commit) {
    Status go = before_commit();
    if (!go.ok()) return go;
  }
  if (persist) {
    Status stored = options_.store->PutConfig(options_.mount, kRootConfigKey, ConfigEntry{RootJson(next), next.secret_key});
    if (!stored.ok()) return stored.WithContext("storing config/root (nothing was changed)");
  }
  return prepared;
}

}  // namespace dyncreds::core
