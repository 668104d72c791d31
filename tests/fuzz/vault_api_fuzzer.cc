// The server's request handling: any method, path, query and body reaches
// VaultApi::Handle (as the root token), which must answer a well-formed
// status with a JSON body (or none), and never crash. The input is split
// into method, path, query and body at its first three newlines.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "dyncreds/host.h"
#include "dyncreds/server.h"
#include "support/instant_iam_transport.h"

namespace {

struct Server {
  dyncreds::testing::InstantIamTransport transport;
  std::unique_ptr<dyncreds::Host> host;
  std::unique_ptr<dyncreds::VaultApi> api;
  Server() {
    dyncreds::HostOptions h;
    h.mount.clear();
    h.transport = &transport;
    h.worker = false;
    host = dyncreds::Host::Open(std::move(h)).value();
    dyncreds::VaultApiOptions o;
    o.root_token_id = dyncreds::SecretString("root");
    o.default_mounts = {"aws"};
    api = dyncreds::VaultApi::Open(host.get(), std::move(o)).value();
  }
};

std::string Take(std::string* rest) {
  const std::size_t nl = rest->find('\n');
  std::string part = rest->substr(0, nl);
  rest->erase(0, nl == std::string::npos ? rest->size() : nl + 1);
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server* server = new Server;  // one store for the whole run, as a server has
  std::string rest(reinterpret_cast<const char*>(data), size);
  dyncreds::VaultRequest r;
  r.method = Take(&rest);
  r.path = "/v1/" + Take(&rest);
  r.query = Take(&rest);
  r.body = rest;
  r.headers.emplace_back("X-Vault-Token", "root");
  dyncreds::VaultResponse reply = server->api->Handle(r);
  if (reply.status < 200 || reply.status > 599) std::abort();
  if (reply.content_type == "application/json" && !reply.body.empty()) {
    rapidjson::Document doc;
    doc.Parse(reply.body.view().data(), reply.body.size());
    if (doc.HasParseError() || !doc.IsObject()) std::abort();  // every JSON answer is an object
    if (reply.status >= 400 && !doc.HasMember("errors")) std::abort();
  }
  return 0;
}
