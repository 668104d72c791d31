// api_client.h: where the Vault-style verbs (read, write, list, delete,
// secrets, lease, token, policy) send their requests: a dyncreds server
// over HTTP when DYNCREDS_ADDR (or VAULT_ADDR) is set, else the Vault API
// in-process on the local store, so the same commands work both ways.
//
// Remote: the token is DYNCREDS_TOKEN, else VAULT_TOKEN, else the file
// ~/.vault-token; TLS is verified against -tls-ca-cert, else
// DYNCREDS_CACERT / VAULT_CACERT, else the system's CAs.
#ifndef DYNCREDS_TOOL_API_CLIENT_H_
#define DYNCREDS_TOOL_API_CLIENT_H_

#include <memory>
#include <string>

#include "commands.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds::tool {

struct ApiReply {
  long status = 0;
  SecretString body;  // may hold issued secrets
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;
  // `path` after /v1/; `query` encoded; `body` a JSON object or empty.
  virtual Result<ApiReply> Call(const std::string& method, const std::string& path, const std::string& query,
                                std::string_view body) = 0;
};

// Is a server address set (DYNCREDS_ADDR or VAULT_ADDR)?
bool RemoteAddressSet();
Result<std::unique_ptr<ApiClient>> ConnectApi(const Context& c);

// The reply's status as an error carrying Vault's message; OK for 2xx.
Status ReplyStatus(const ApiReply& reply, const std::string& path);

}  // namespace dyncreds::tool

#endif  // DYNCREDS_TOOL_API_CLIENT_H_
