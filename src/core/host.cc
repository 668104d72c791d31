#include "dyncreds/host.h"

#include <map>
#include <mutex>

#include "dyncreds/curl_transport.h"
#include "dyncreds/sqlite_lease_store.h"
#include "dyncreds/store_key.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds {
namespace {

Result<SecretString> StoreKey(HostOptions& options) {
  if (!options.store_key.empty()) return std::move(options.store_key);
  if (!options.store_key_file.empty()) return ReadStoreKeyFile(options.store_key_file);
  if (options.key_from_environment) return StoreKeyFromEnvironment();
  return SecretString();
}

Result<std::unique_ptr<LeaseStore>> OpenStore(HostOptions& options) {
  if (options.store == ":memory:") return NewMemoryLeaseStore();
  Result<SecretString> key = StoreKey(options);
  if (!key.ok()) return key.status();
  SqliteStoreOptions store;
  store.path = options.store;
  store.encryption_key = std::move(*key);
  store.key_from_environment = false;  // decided above
  return OpenSqliteLeaseStore(std::move(store));
}

// The file first, then the host's sink: an event counts as recorded only if
// every sink given took it.
AuditFunction ChainAudit(AuditFile* file, AuditFunction host) {
  if (file == nullptr) return host;
  return [to_file = file->Function(), host = std::move(host)](const AuditEvent& event) {
    Status written = to_file(event);
    return written.ok() && host ? host(event) : written;
  };
}

}  // namespace

class Host::Impl {
 public:
  // Members in the order they are built; destroyed in reverse, so engines
  // (and their workers) stop before the store, transport and file close.
  HostOptions options;
  std::unique_ptr<LeaseStore> store;
  std::unique_ptr<AuditFile> audit_file;
  std::unique_ptr<HttpTransport> own_transport;  // unless the host gave one
  HttpTransport* transport = nullptr;
  AuditFunction audit;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Engine>> engines;  // GUARDED_BY(mu)
  Engine* main = nullptr;

  Result<Engine*> Mount(const std::string& mount) {
    std::lock_guard<std::mutex> lock(mu);
    auto found = engines.find(mount);
    if (found != engines.end()) return found->second.get();
    EngineOptions o;
    o.mount = mount;
    o.store = store.get();
    o.transport = transport;
    o.revocation.background_worker = options.worker;
    o.revocation.poll_interval = options.poll_interval;
    o.log = options.log;
    o.log_level = options.log_level;
    o.audit = audit;
    o.audit_fail_open = options.audit_fail_open;
    Result<std::unique_ptr<Engine>> engine = Engine::Open(std::move(o));
    if (!engine.ok()) return engine.status();
    return (engines[mount] = std::move(*engine)).get();
  }
};

Result<std::unique_ptr<Host>> Host::Open(HostOptions options) {
  auto impl = std::make_unique<Impl>();
  Result<std::unique_ptr<LeaseStore>> store = OpenStore(options);
  if (!store.ok()) return store.status();
  impl->store = std::move(*store);
  if (!options.audit_file.empty()) {
    Result<std::unique_ptr<AuditFile>> file = AuditFile::Open({options.audit_file, options.audit_fsync});
    if (!file.ok()) return file.status();
    impl->audit_file = std::move(*file);
  }
  impl->transport = options.transport;
  if (impl->transport == nullptr) {
    CurlTransportOptions transport;
    transport.ca_bundle = options.ca_bundle;
    impl->own_transport = NewCurlTransport(transport);
    impl->transport = impl->own_transport.get();
  }
  impl->audit = ChainAudit(impl->audit_file.get(), options.audit);
  const std::string mount = options.mount;
  impl->options = std::move(options);
  if (!mount.empty()) {
    Result<Engine*> engine = impl->Mount(mount);
    if (!engine.ok()) return engine.status();
    impl->main = *engine;
  }
  return std::unique_ptr<Host>(new Host(std::move(impl)));
}

Host::Host(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Host::~Host() = default;

Engine& Host::engine() { return *impl_->main; }

Result<Engine*> Host::OpenMount(const std::string& mount) { return impl_->Mount(mount); }

Status Host::CloseMount(const std::string& mount) {
  std::unique_ptr<Engine> closing;  // stopped outside the lock: its worker may be mid-round
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto found = impl_->engines.find(mount);
    if (found == impl_->engines.end()) return Status();
    if (found->second.get() == impl_->main) return Status::InvalidArgument("mount", "the host's own mount cannot be closed");
    closing = std::move(found->second);
    impl_->engines.erase(found);
  }
  return Status();
}

LeaseStore& Host::store() { return *impl_->store; }

Result<std::vector<std::string>> Host::ListMounts() { return impl_->store->ListMounts(); }

Status Host::ReopenAuditFile() { return impl_->audit_file ? impl_->audit_file->Reopen() : Status(); }

}  // namespace dyncreds
