// sqlite_lease_store.h: the default, embedded LeaseStore: one SQLite file.
//
//   SqliteStoreOptions options;
//   options.path = "/var/lib/myapp/dyncreds.db";   // created 0600
//   auto store = OpenSqliteLeaseStore(std::move(options)).value();
//   EngineOptions engine_options;
//   engine_options.store = store.get();
//
// Every write is durable before it returns (WAL journal, synchronous=FULL);
// writes from concurrent threads share one commit and one fsync. Opening is
// O(1) in the number of leases: nothing is loaded up front, and the
// revocation worker reads due leases through an index.
//
// Several processes may open the same file (SQLite's locking), but a store
// is meant to belong to one engine process at a time; a lock held longer
// than `busy_timeout` is reported as an error naming the file.
//
// Thread safety: a store may be used from many threads at once.
#ifndef DYNCREDS_SQLITE_LEASE_STORE_H_
#define DYNCREDS_SQLITE_LEASE_STORE_H_

#include <chrono>
#include <memory>
#include <string>

#include "dyncreds/export.h"
#include "dyncreds/sys/lease_store.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds {

struct SqliteStoreOptions {
  std::string path;  // the database file; its directory must exist
  // The 32-byte key (raw) that seals config/root's secret_key. Empty: from
  // DYNCREDS_STORE_KEY_FILE / DYNCREDS_STORE_KEY if `key_from_environment`,
  // else none, and the store refuses to keep a secret.
  SecretString encryption_key;
  bool key_from_environment = true;
  // How long to wait for another process's lock before giving up.
  std::chrono::milliseconds busy_timeout{5000};
  // An SQLite VFS by name ("": SQLite's default).
  std::string vfs;
};

// Opens or creates the store, migrating an older schema forward.
// kStore: unreadable, locked, corrupt, not a store, or from a newer
// libdyncreds (nothing is changed then). kEncryptionKey: the key does not
// match the one this store's secrets were sealed with, or is malformed.
DYNCREDS_EXPORT Result<std::unique_ptr<LeaseStore>> OpenSqliteLeaseStore(SqliteStoreOptions options);

}  // namespace dyncreds

#endif  // DYNCREDS_SQLITE_LEASE_STORE_H_
