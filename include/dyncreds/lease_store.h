// lease_store.h: where an engine keeps its leases, roles and configuration.
// Leases are found by id, by id prefix, and by due time (the revocation
// worker asks for "leases due by T"), each cheaply.
//
// A store never holds a secret access key or a session token: a Lease has
// only the access key id. Root secrets in configuration are the store's to
// protect (the SQLite store encrypts them).
//
// Thread safety: implementations must be safe for concurrent use from many
// threads without external synchronization.
#ifndef DYNCREDS_LEASE_STORE_H_
#define DYNCREDS_LEASE_STORE_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/role.h"
#include "dyncreds/status.h"

namespace dyncreds {

using TimePoint = std::chrono::system_clock::time_point;

enum class LeaseState {
  kActive,       // issued; revoked when due
  kIrrevocable,  // revocation failed every attempt; kept and reported, retried rarely
};

struct Lease {
  std::string id;       // "<mount>/creds/<role>/<random>"
  std::string mount;
  std::string role;
  CredentialType type = CredentialType::kIamUser;
  std::string user_name;      // iam_user: the IAM user; STS: the session or federated name
  std::string access_key_id;  // never the secret
  std::string arn;
  TimePoint issued_at;
  TimePoint expires_at;       // now + TTL; renewals move it
  TimePoint max_expires_at;   // issued_at + max TTL; renewals never pass it
  bool renewable = false;
  LeaseState state = LeaseState::kActive;
  TimePoint due_at;           // when the worker should next act: expiry, or a retry
  int revoke_attempts = 0;
  std::string last_error;     // why the last revocation attempt failed
};

class DYNCREDS_EXPORT LeaseStore {
 public:
  virtual ~LeaseStore();

  // Inserts or replaces, durably before it returns.
  virtual Status PutLease(const Lease& lease) = 0;
  virtual Result<Lease> GetLease(std::string_view id) = 0;  // kNotFound
  virtual Status DeleteLease(std::string_view id) = 0;      // kNotFound if absent
  // Leases whose id starts with `prefix`, in id order ("" for all).
  virtual Result<std::vector<Lease>> ListLeases(std::string_view prefix) = 0;
  // Active and irrevocable leases with due_at <= `now`, earliest first, at most `limit`.
  virtual Result<std::vector<Lease>> DueLeases(TimePoint now, std::size_t limit) = 0;
  // How many leases a role of a mount has (for max_active_leases).
  virtual Result<std::size_t> CountLeases(std::string_view mount, std::string_view role) = 0;

  virtual Status PutRole(std::string_view mount, const Role& role) = 0;
  virtual Result<Role> GetRole(std::string_view mount, std::string_view name) = 0;  // kNotFound
  virtual Status DeleteRole(std::string_view mount, std::string_view name) = 0;
  virtual Result<std::vector<std::string>> ListRoles(std::string_view mount) = 0;

  // Configuration documents by key ("config/root", "config/lease"), as JSON.
  virtual Status PutConfig(std::string_view mount, std::string_view key, std::string_view json) = 0;
  virtual Result<std::string> GetConfig(std::string_view mount, std::string_view key) = 0;  // kNotFound
};

// Keeps everything in memory: for tests, and for hosts that accept losing
// leases on exit.
DYNCREDS_EXPORT std::unique_ptr<LeaseStore> NewMemoryLeaseStore();

}  // namespace dyncreds

#endif  // DYNCREDS_LEASE_STORE_H_
