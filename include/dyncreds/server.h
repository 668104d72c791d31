// server.h: Vault's HTTP API for the AWS engine, so curl, hvac and Vault's
// own request shapes work unchanged against libdyncreds.
//
// Two ways to use it:
//  - VaultApi answers one request at a time, for a host that has an HTTP
//    stack of its own: build a VaultRequest from what arrived, call Handle,
//    send back the VaultResponse.
//  - Server listens on an address of its own (libmicrohttpd: HTTP/1.1,
//    keep-alive, a thread pool, TLS 1.2/1.3, limits on connections, header and
//    body size, and an idle timeout) and hands every request to a VaultApi.
//
//   ServerOptions options;
//   options.host.store = "/var/lib/dyncreds/store.db";
//   options.host.store_key_file = "/etc/dyncreds/store.key";
//   options.listen_address = "127.0.0.1:8200";
//   auto server = Server::Start(std::move(options)).value();
//   ...
//   server->Stop();  // finishes the requests in flight
//
// Tokens and policies are Vault's: every request but sys/health carries a
// token (X-Vault-Token or Authorization: Bearer) whose ACL policies (Vault's
// JSON form) allow the path and capability. Only a hash of each token is
// stored. The first start of a store makes a root token and reports it once
// (VaultApiOptions::on_root_token).
//
// Thread safety: VaultApi::Handle and every Server method may be called from
// many threads at once.
#ifndef DYNCREDS_SERVER_H_
#define DYNCREDS_SERVER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/host.h"
#include "dyncreds/secret.h"
#include "dyncreds/status.h"

namespace dyncreds {

struct VaultRequest {
  std::string method;  // "GET", "HEAD", "POST", "PUT", "DELETE", "LIST"
  std::string path;    // "/v1/aws/creds/deploy", percent-decoded, without the query
  std::string query;   // "ttl=15m&list=true", still encoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in any case
  std::string body;
  std::string client_address;  // for audit events
};

struct VaultResponse {
  int status = 200;
  std::string content_type = "application/json";  // "" for 204 and HEAD
  SecretString body;  // may carry issued secrets: wiped when freed
  std::vector<std::pair<std::string, std::string>> headers;  // more: Location, Content-Security-Policy, ...
};

struct VaultApiOptions {
  // Makes the root token on a store that has no token yet and hands it here
  // once (the server prints it). Only its hash is kept.
  std::function<void(const SecretString& root_token)> on_root_token;
  // A root token to use instead of a random one (`-dev-root-token-id`).
  SecretString root_token_id;
  // Mounts to enable at start if absent (`-dev` enables "aws").
  std::vector<std::string> default_mounts;
  // Every request acts with the root policy, token or not, and no root
  // token is made: for a program that owns the store and calls Handle
  // itself (the dyncreds tool on a local store). Never for a network.
  bool trusted_caller = false;
  std::string version = "dyncreds";  // sys/health's "version"
  std::string cluster_name = "dyncreds";
};

class DYNCREDS_EXPORT VaultApi {
 public:
  // Opens the mounts the store's mount table lists, on `host`'s store;
  // `host` must outlive the VaultApi.
  static Result<std::unique_ptr<VaultApi>> Open(Host* host, VaultApiOptions options);
  ~VaultApi();
  VaultApi(const VaultApi&) = delete;
  VaultApi& operator=(const VaultApi&) = delete;

  // Never throws; every failure is an HTTP status with {"errors":[...]}.
  VaultResponse Handle(const VaultRequest& request);

  class Impl;

 private:
  explicit VaultApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct ServerOptions {
  HostOptions host;  // store, store key, audit file, log; host.mount is ignored
  VaultApiOptions api;
  // "host:port"; port 0 picks a free one. "": no listener: the host hands
  // requests to api().Handle from an HTTP stack of its own.
  std::string listen_address = "127.0.0.1:8200";
  std::string tls_cert_file;  // PEM; both set: HTTPS only (TLS 1.2 and 1.3)
  std::string tls_key_file;
  unsigned threads = 4;                  // the pool that serves connections
  unsigned max_connections = 1024;       // beyond: refused
  std::size_t max_body_bytes = 1 << 20;  // beyond: 413
  std::size_t max_header_bytes = 32768;  // request line + headers; beyond: 431 or closed
  std::chrono::seconds idle_timeout{60};  // a connection silent this long is closed
};

class DYNCREDS_EXPORT Server {
 public:
  // Opens the host and the API, binds and starts serving.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port bound (useful with port 0); 0 without a listener.
  int port() const;
  // Finishes the requests in flight, then stops accepting and serving.
  void Stop();
  // SIGHUP: reopens the audit file and reloads the TLS certificate and key
  // (new connections get the new ones; a bad file keeps the old).
  Status Reload();

  Host& host();
  VaultApi& api();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dyncreds

#endif  // DYNCREDS_SERVER_H_
