// api_call.h: one request on its way through the Vault API, and the state
// every route shares. vault_api.cc authenticates the caller and checks its
// ACL; the route files (aws_routes, lease_routes, mount_routes, sys_routes,
// token_routes) then answer the paths of their area.
//
// Thread safety: ApiState's members are safe to use from many threads;
// engines_mu is held shared by every request that uses a mount's engine and
// exclusively by enabling and disabling mounts, so no engine is closed
// under a request.
#ifndef DYNCREDS_SRC_SERVER_API_CALL_H_
#define DYNCREDS_SRC_SERVER_API_CALL_H_

#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "dyncreds/host.h"
#include "dyncreds/server.h"
#include "server/mount_table.h"
#include "server/policy_store.h"
#include "server/request_params.h"
#include "server/token_store.h"

namespace dyncreds::server {

// What a request asks to do, as an ACL names it: GET reads, LIST (or GET
// with list=true) lists, POST and PUT write, DELETE deletes.
enum class Operation { kRead, kList, kWrite, kDelete };

struct ApiCall {
  explicit ApiCall(const VaultRequest& r) : request(r) {}
  const VaultRequest& request;
  Operation operation = Operation::kRead;
  bool head = false;  // HEAD: answer the status only
  std::string path;   // "aws/creds/deploy": after /v1/, without slashes at either end
  RequestParams params;
  TokenEntry token;         // the caller (empty for sys/health)
  SecretString token_text;  // as presented (auth/token/lookup-self echoes it)
  Acl acl;
};

struct ApiState {
  ApiState(Host* h, VaultApiOptions o)
      : host(h), options(std::move(o)), tokens(&h->store(), Clock::System()), policies(&h->store()),
        mounts(&h->store()) {}
  Host* host;
  VaultApiOptions options;
  TokenStore tokens;
  PolicyStore policies;
  MountTable mounts;
  std::string cluster_id;  // a UUID made on the store's first start (sys/health)
  std::shared_mutex engines_mu;
};

// The engine of an enabled AWS mount (kNotFound otherwise).
// REQUIRES: engines_mu held (shared or exclusive).
Result<Engine*> MountEngine(ApiState& state, const std::string& mount);

// Each answers the paths of its area, or nullopt if `call.path` is not one.
std::optional<VaultResponse> AwsRoutes(ApiState& state, ApiCall& call, const MountEntry& mount,
                                      std::string_view rest);
std::optional<VaultResponse> LeaseRoutes(ApiState& state, ApiCall& call);
std::optional<VaultResponse> MountRoutes(ApiState& state, ApiCall& call);
std::optional<VaultResponse> SysRoutes(ApiState& state, ApiCall& call);
std::optional<VaultResponse> TokenRoutes(ApiState& state, ApiCall& call);
// /ui/...: the web console's files; "/" and "/ui" redirect to /ui/.
std::optional<VaultResponse> ConsoleRoutes(const VaultRequest& request);
// auth/aws/...: Vault's AWS auth method, which some guides mistake for the
// secrets engine; answered with the engine's path that does the job.
std::optional<VaultResponse> AuthAwsHint(const ApiCall& call, std::string_view rest);

// The handler of each operation a path takes; an absent one answers 405.
struct Handlers {
  std::function<VaultResponse()> read = nullptr;
  std::function<VaultResponse()> list = nullptr;
  std::function<VaultResponse()> write = nullptr;
  std::function<VaultResponse()> remove = nullptr;
};
VaultResponse ByOperation(const ApiCall& call, const Handlers& handlers);

// The answers every area shares.
VaultResponse MethodNotAllowed();
VaultResponse PermissionDenied();
VaultResponse NoHandler(const ApiCall& call);
// `keys` as Vault lists: data.keys, and 404 with no errors when empty.
VaultResponse KeysReply(const std::vector<std::string>& keys, std::string mount_type = "");

// Does `path` (no slashes at its ends) start with the segments of `prefix`?
// `*rest` receives what follows ("" for the prefix itself).
bool UnderPath(std::string_view path, std::string_view prefix, std::string_view* rest);

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_API_CALL_H_
