// host.h: everything a program that embeds the engine wires together, in
// one place: the lease store (opened from a path, with its key), one HTTP
// transport shared by every mount, the audit file and the host's own sinks,
// and the engines of the mounts it serves. The C ABI, the dyncreds tool (and
// the server to come) open their engines through it, so they agree on
// defaults and on the order things are torn down in.
//
//   HostOptions options;
//   options.store = "/var/lib/dyncreds/store.db";
//   options.store_key_file = "/etc/dyncreds/store.key";
//   options.audit_file = "/var/log/dyncreds/audit.jsonl";
//   auto host = Host::Open(std::move(options)).value();
//   host->engine().Issue("deploy");
//
// Thread safety: engine() and the engines it returns may be used from many
// threads at once; OpenMount and ReopenAuditFile too. Destroying a Host
// stops its engines' workers first, then closes the store and audit file.
#ifndef DYNCREDS_HOST_H_
#define DYNCREDS_HOST_H_

#include <chrono>
#include <memory>
#include <string>

#include "dyncreds/audit_file.h"
#include "dyncreds/engine.h"
#include "dyncreds/events.h"
#include "dyncreds/export.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds {

class HttpTransport;
class LeaseStore;

struct HostOptions {
  std::string mount = "aws";  // the mount engine() serves; "": none (the server opens its own)
  // ":memory:" (leases lost on exit) or the path of an SQLite store.
  std::string store = ":memory:";
  // The store's key (sealing config/root's secret): `store_key` if given,
  // else the file `store_key_file`, else DYNCREDS_STORE_KEY_FILE /
  // DYNCREDS_STORE_KEY when `key_from_environment`. None is fine until a
  // root secret is stored.
  SecretString store_key;
  std::string store_key_file;
  bool key_from_environment = true;
  std::string ca_bundle;  // CAs for TLS to AWS; "": AWS_CA_BUNDLE, else the system's
  // The transport every mount sends AWS requests through (not owned; it
  // must outlive the Host); nullptr: a curl transport with ca_bundle.
  HttpTransport* transport = nullptr;
  // Audit: each event goes to the file (created 0600), then to `audit`; it
  // counts as recorded only if every sink given took it.
  std::string audit_file;
  AuditFsync audit_fsync = AuditFsync::kEvery;
  AuditFunction audit;
  bool audit_fail_open = false;  // see EngineOptions
  LogFunction log;
  LogLevel log_level = LogLevel::kInfo;
  bool worker = true;  // each engine revokes on a thread of its own; false: the host calls Tick()
  std::chrono::milliseconds poll_interval{1000};
};

class DYNCREDS_EXPORT Host {
 public:
  // Opens the store, the audit file and the engine of options.mount.
  static Result<std::unique_ptr<Host>> Open(HostOptions options);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // REQUIRES: options.mount was not empty.
  Engine& engine();
  // Another mount's engine on the same store, with the same transport, sinks
  // and settings; the Host owns it. Opening a mount twice returns the same
  // engine.
  Result<Engine*> OpenMount(const std::string& mount);
  // Stops a mount's engine and forgets it (its leases, roles and config stay
  // in the store); OK if it was not open. REQUIRES: no other thread is using
  // that engine, and it is not engine()'s mount.
  Status CloseMount(const std::string& mount);
  // The mounts of the store that have a config/root, in name order.
  Result<std::vector<std::string>> ListMounts();
  // The store every mount shares (the server keeps its tokens, policies and
  // mount table in it).
  LeaseStore& store();
  // Reopens the audit file (after log rotation); OK without one.
  Status ReopenAuditFile();

  class Impl;

 private:
  explicit Host(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_HOST_H_
