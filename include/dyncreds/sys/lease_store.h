// sys/lease_store.h (an extension interface): where an engine keeps its leases, roles and configuration.
// Leases are found by id, by id prefix, and by due time (the revocation
// worker asks for "leases due by T"), each cheaply.
//
// A store never holds a secret access key or a session token: a Lease has
// only the access key id. The one secret a configuration document carries
// (config/root's secret_key) is kept apart from its JSON: the SQLite store
// seals it with AES-256-GCM under the host's key, and refuses without one.
//
// Intents make issuance crash-safe: the engine commits an Intent before the
// first AWS call that creates anything, and PromoteIntent turns it into the
// lease in one transaction. An intent whose owner process is provably dead,
// or that outlives a grace period, belongs to an issuance that died; the
// engine rolls it back.
//
// Thread safety: implementations must be safe for concurrent use from many
// threads without external synchronization.
#ifndef DYNCREDS_SYS_LEASE_STORE_H_
#define DYNCREDS_SYS_LEASE_STORE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/lease.h"
#include "dyncreds/role.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds {

// The process that recorded an intent, so that recovery can tell an
// issuance still running from one whose process died.
struct IntentOwner {
  std::string host;        // machine id and boot id; "" when unknown
  std::int64_t pid = 0;
  std::int64_t start = 0;  // the process's start time (clock ticks after boot)
};

// An issuance in progress: what may exist in AWS before its lease does.
struct Intent {
  std::string lease_id;
  std::string mount;
  std::string role;
  CredentialType type = CredentialType::kIamUser;
  std::string user_name;  // iam_user: the user that may exist; STS: the session name
  TimePoint created_at;
  IntentOwner owner;
  // iam_user: when a rollback first found no user. A CreateUser the
  // issuance sent may still land after that, so the intent stays until the
  // request can no longer be accepted (see core/recovery.h).
  std::optional<TimePoint> user_absent_at;
};

// A configuration document and the one secret it may carry.
struct ConfigEntry {
  std::string json;
  SecretString secret;  // empty: none
};

class DYNCREDS_EXPORT LeaseStore {
 public:
  virtual ~LeaseStore();

  // Inserts or replaces, durably before it returns.
  virtual Status PutLease(const Lease& lease) = 0;
  virtual Result<Lease> GetLease(std::string_view id) = 0;  // kNotFound
  virtual Status DeleteLease(std::string_view id) = 0;      // kNotFound if absent
  // Every query that returns leases takes the mount: an engine only ever
  // sees its own mount's leases, even when several mounts share a store.
  //
  // The mount's leases whose id starts with `prefix` ("" for all) and sorts
  // after `after` ("" to start), in id order, at most `limit` (0: no limit).
  virtual Result<std::vector<Lease>> ListLeases(std::string_view mount, std::string_view prefix,
                                                std::string_view after, std::size_t limit) = 0;
  // The mount's irrevocable leases whose id starts with `prefix`, in id order.
  virtual Result<std::vector<Lease>> IrrevocableLeases(std::string_view mount, std::string_view prefix) = 0;
  // The mount's active and irrevocable leases with due_at <= `now`,
  // earliest first, at most `limit`.
  virtual Result<std::vector<Lease>> DueLeases(std::string_view mount, TimePoint now, std::size_t limit) = 0;
  // Whether a lease or an intent of the mount names IAM user `user_name`
  // (the engine never issues a name that is held).
  virtual Result<bool> HoldsUserName(std::string_view mount, std::string_view user_name) = 0;
  // The mounts that have a config/root (the ones an engine can serve), in name order.
  virtual Result<std::vector<std::string>> ListMounts() = 0;
  // How many leases a role of a mount has (for max_active_leases).
  virtual Result<std::size_t> CountLeases(std::string_view mount, std::string_view role) = 0;

  virtual Status PutRole(std::string_view mount, const Role& role) = 0;
  virtual Result<Role> GetRole(std::string_view mount, std::string_view name) = 0;  // kNotFound
  virtual Status DeleteRole(std::string_view mount, std::string_view name) = 0;
  virtual Result<std::vector<std::string>> ListRoles(std::string_view mount) = 0;

  // Durably, before the first AWS call of an issuance.
  virtual Status PutIntent(const Intent& intent) = 0;
  virtual Result<Intent> GetIntent(std::string_view lease_id) = 0;  // kNotFound
  virtual Status DeleteIntent(std::string_view lease_id) = 0;       // kNotFound if absent
  // Stores the lease and deletes its intent in one durable transaction;
  // kConflict (storing nothing) if the intent is gone: it was rolled back.
  virtual Status PromoteIntent(const Lease& lease) = 0;
  // A mount's intents created before `created_before`, oldest first.
  virtual Result<std::vector<Intent>> ListIntents(std::string_view mount, TimePoint created_before) = 0;

  // Configuration documents by key ("config/root", "config/lease"). A
  // secret needs the store's encryption key (kEncryptionKey without it).
  virtual Status PutConfig(std::string_view mount, std::string_view key, const ConfigEntry& entry) = 0;
  virtual Result<ConfigEntry> GetConfig(std::string_view mount, std::string_view key) = 0;  // kNotFound
  virtual Status DeleteConfig(std::string_view mount, std::string_view key) = 0;            // absent: OK
};

// Keeps everything in memory: for tests, and for hosts that accept losing
// leases on exit.
DYNCREDS_EXPORT std::unique_ptr<LeaseStore> NewMemoryLeaseStore();

}  // namespace dyncreds

#endif  // DYNCREDS_SYS_LEASE_STORE_H_
