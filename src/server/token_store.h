// token_store.h: Vault tokens. A token is "hvs." and 24 random base62
// characters; the store keeps only its SHA-256 (the token has 143 bits of
// entropy, so a plain hash cannot be searched), with its accessor, policies,
// display name and expiry, and an accessor -> hash index for revoking by
// accessor. The raw token exists only in the reply that creates it.
//
// Thread safety: every method may be called from many threads at once.
#ifndef DYNCREDS_SRC_SERVER_TOKEN_STORE_H_
#define DYNCREDS_SRC_SERVER_TOKEN_STORE_H_

#include <chrono>
#include <string>
#include <vector>

#include "dyncreds/secret.h"
#include "dyncreds/status.h"
#include "dyncreds/sys/clock.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::server {

struct TokenEntry {
  std::string accessor;
  std::vector<std::string> policies;  // "root" makes it a root token
  std::string display_name;
  std::chrono::system_clock::time_point created;
  std::chrono::seconds ttl{0};  // 0: never expires
  bool Root() const;
  std::chrono::system_clock::time_point Expires() const { return created + ttl; }
};

class TokenStore {
 public:
  TokenStore(LeaseStore* store, Clock* clock) : store_(store), clock_(clock) {}

  // A new token for `entry` (its accessor and creation time are filled in).
  // With `id`, that is the token (`-dev-root-token-id`).
  Result<SecretString> Create(TokenEntry* entry, const SecretString& id = SecretString());
  // kNotFound for an unknown or expired token (an expired one is removed).
  Result<TokenEntry> Lookup(const SecretString& token);
  Result<TokenEntry> LookupAccessor(const std::string& accessor);
  Status Revoke(const SecretString& token);
  Status RevokeAccessor(const std::string& accessor);

  // Has a root token ever been made on this store?
  Result<bool> RootMade();

 private:
  Result<TokenEntry> LookupHash(const std::string& hash);
  Status RevokeHash(const std::string& hash, const std::string& accessor);

  LeaseStore* store_;
  Clock* clock_;
};

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_TOKEN_STORE_H_
