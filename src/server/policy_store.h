// policy_store.h: named ACL policies (acl_policy.h), kept in the store, and
// the Acl of a token's policy list. "root" allows everything and cannot be
// written; "default" (given to every token, as in Vault) lets a token look
// itself up, renew and revoke itself, and cannot be written either.
//
// Thread safety: every method may be called from many threads at once.
#ifndef DYNCREDS_SRC_SERVER_POLICY_STORE_H_
#define DYNCREDS_SRC_SERVER_POLICY_STORE_H_

#include <mutex>
#include <string>
#include <vector>

#include "dyncreds/status.h"
#include "dyncreds/sys/lease_store.h"
#include "server/acl_policy.h"

namespace dyncreds::server {

class PolicyStore {
 public:
  explicit PolicyStore(LeaseStore* store) : store_(store) {}

  Status Put(const std::string& name, const std::string& text);
  Result<std::string> Get(const std::string& name);  // kNotFound
  Status Delete(const std::string& name);
  Result<std::vector<std::string>> List();  // with "default" and "root"

  // The merged rules of `policies` (unknown names grant nothing).
  Result<Acl> AclFor(const std::vector<std::string>& policies);

 private:
  Status SetListed(const std::string& name, bool listed);

  LeaseStore* store_;
  std::mutex index_mu_;  // serialises read-modify-write of the name index
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_POLICY_STORE_H_
