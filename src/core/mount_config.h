// mount_config.h: one mount's config/root and config/lease as the engine
// uses them: the values, the IAM provider and username template built from
// config/root, loading them when the engine opens, and their audited writes.
//
// Writers take turns on their own mutex and hold the values' mutex only to
// swap them in, so a slow audit sink or a store's fsync never stalls an
// issuance, a renewal or a config read.
//
// Thread safety: every method may be called from any thread at once.
#ifndef DYNCREDS_SRC_CORE_MOUNT_CONFIG_H_
#define DYNCREDS_SRC_CORE_MOUNT_CONFIG_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/audit_events.h"
#include "core/audit_trail.h"
#include "core/lease_config.h"
#include "core/root_config.h"
#include "core/username_template.h"
#include "dyncreds/metrics.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/sys/http_transport.h"
#include "dyncreds/sys/iam_provider.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class MountConfig {
 public:
  struct Options {
    std::string mount;
    LeaseStore* store = nullptr;
    Clock* clock = nullptr;
    IamProvider* host_provider = nullptr;  // set: always used, never built from config/root
    HttpTransport* transport = nullptr;    // for the providers built from config/root
    std::function<void(const AwsCallRecord&)> on_aws_call;
    const AuditTrail* audit = nullptr;
    const AuditEvents* events = nullptr;
    std::function<void(LogLevel, const std::string&)> log;
  };

  explicit MountConfig(Options options);

  // Reads both documents from the store. A stored config/root that cannot
  // be used (sealed with a key this process lacks, say) does not fail the
  // open: Provider() says why until a new one is written.
  Status Load();

  // The documents as the HTTP API reads and writes them (never secret_key).
  Status WriteRoot(std::string_view json);
  std::string ReadRoot() const;
  Status WriteLease(std::string_view json);
  std::string ReadLease() const;

  // What an issuance reads, copied at one moment.
  struct Snapshot {
    std::shared_ptr<const UsernameTemplate> name_template;
    LeaseConfig lease;
  };
  Snapshot Current() const;

  // The provider acting with config/root's key (or the host's), or why
  // there is none.
  Result<std::shared_ptr<IamProvider>> Provider() const;

  // config/root's access key id; "" when it names none.
  std::string AccessKey() const;
  // Like AccessKey, but "" unless config/root holds a secret of its own (a
  // key the engine may rotate).
  std::string StoredAccessKey() const;
  // Makes `key` config/root's key, durably (root rotation's last step).
  Status StoreKey(const AwsCredentials& key);

 private:
  struct Prepared {
    UsernameTemplate name_template;
    std::shared_ptr<IamProvider> provider;  // null: keep the host's
  };

  Status LoadRoot();
  RootConfig CurrentRoot() const;
  Status InstallRoot(RootConfig next, bool persist, const std::function<Status()>& before_commit = {});
  Result<Prepared> PrepareRoot(const RootConfig& next, bool persist, const std::function<Status()>& before_commit);

  const Options options_;

  // Writers of either document take turns on write_mu_, and hold mu_
  // (which guards the values) only to read or swap them.
  std::mutex write_mu_;
  mutable std::mutex mu_;
  RootConfig root_;
  LeaseConfig lease_;
  std::shared_ptr<const UsernameTemplate> template_;
  std::shared_ptr<IamProvider> provider_;
  Status root_unusable_;  // why a stored config/root could not be loaded
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_MOUNT_CONFIG_H_
