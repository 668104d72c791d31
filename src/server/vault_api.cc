// vault_api.cc: the front door of every request: the /v1/ path and the
// method, the caller's token and ACL, then the area that answers it.
//
// A caller without a valid token, or whose policies do not allow the path,
// gets 403 "permission denied" before any route is looked at, so it learns
// nothing about which paths exist.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>

#include "dyncreds/events.h"
#include "dyncreds/server.h"
#include "server/api_call.h"
#include "server/sys_records.h"
#include "util/crypto.h"
#include "server/vault_reply.h"

namespace dyncreds {

using server::ApiCall;
using server::ApiState;
using server::Operation;

class VaultApi::Impl {
 public:
  Impl(Host* host, VaultApiOptions options) : state_(host, std::move(options)) {}

  Status Start();
  VaultResponse Handle(const VaultRequest& request);

 private:
  Status LoadClusterId();
  Status EnableDefaultMounts();
  Status MakeRootToken();
  std::optional<VaultResponse> Prepare(ApiCall& call);
  std::optional<VaultResponse> Authenticate(ApiCall& call);
  bool Authorized(const ApiCall& call);
  VaultResponse Dispatch(ApiCall& call);

  ApiState state_;
};

namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string_view Header(const VaultRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

// X-Vault-Token, else Authorization: Bearer.
SecretString PresentedToken(const VaultRequest& request) {
  std::string_view token = Header(request, "X-Vault-Token");
  if (token.empty()) {
    std::string_view auth = Header(request, "Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() > kBearer.size() && auth.substr(0, kBearer.size()) == kBearer) token = auth.substr(kBearer.size());
  }
  return SecretString(token);
}

// Who is asking, as audit events name them: never the token itself.
std::string CallerJson(const ApiCall& call) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("accessor");
  w.String(call.token.accessor.c_str());
  w.Key("display_name");
  w.String(call.token.display_name.c_str());
  w.Key("remote_address");
  w.String(call.request.client_address.c_str());
  w.EndObject();
  return out.GetString();
}

// Paths that need sudo on top of their capability, as in Vault.
bool NeedsSudo(const ApiCall& call) {
  std::string_view rest;
  if (server::UnderPath(call.path, "sys/leases/revoke-prefix", &rest)) return true;
  if (server::UnderPath(call.path, "sys/leases/revoke-force", &rest)) return true;
  return call.operation == Operation::kList && server::UnderPath(call.path, "sys/leases/lookup", &rest);
}

// POST on a role that does not exist yet needs `create`, on one that does
// `update` (Vault's existence check); every other write needs `update`.
unsigned WriteCapability(ApiState& state, const ApiCall& call) {
  std::string rest;
  std::optional<server::MountEntry> mount = state.mounts.Route(call.path, &rest);
  if (!mount || rest.rfind("roles/", 0) != 0) return server::kUpdate;
  std::shared_lock<std::shared_mutex> lock(state.engines_mu);
  Result<Engine*> engine = server::MountEngine(state, mount->path);
  if (!engine.ok()) return server::kUpdate;
  return (*engine)->ReadRole(rest.substr(6)).ok() ? server::kUpdate : server::kCreate;
}

}  // namespace

Status VaultApi::Impl::Start() {
  if (Status s = state_.mounts.Load(); !s.ok()) return s;
  if (Status s = LoadClusterId(); !s.ok()) return s;
  if (Status s = EnableDefaultMounts(); !s.ok()) return s;
  // Every mount's engine runs its revocation worker from the start.
  for (const server::MountEntry& mount : state_.mounts.List()) {
    Result<Engine*> engine = state_.host->OpenMount(mount.path);
    if (!engine.ok()) return engine.status().WithContext("opening mount " + mount.path);
  }
  return state_.options.trusted_caller ? Status() : MakeRootToken();
}

Status VaultApi::Impl::LoadClusterId() {
  constexpr char kKey[] = "server.cluster";
  Result<rapidjson::Document> doc = server::ReadSysRecord(&state_.host->store(), kKey);
  if (doc.ok() && doc->IsObject() && doc->HasMember("id") && (*doc)["id"].IsString()) {
    state_.cluster_id = (*doc)["id"].GetString();
    return Status();
  }
  if (!doc.ok() && !doc.status().Is(ErrorCode::kNotFound)) return doc.status();
  state_.cluster_id = crypto::RandomUuid();
  rapidjson::Document made(rapidjson::kObjectType);
  made.AddMember("id", rapidjson::Value(state_.cluster_id.c_str(), made.GetAllocator()), made.GetAllocator());
  return server::WriteSysRecord(&state_.host->store(), kKey, made);
}

Status VaultApi::Impl::EnableDefaultMounts() {
  for (const std::string& path : state_.options.default_mounts) {
    if (state_.mounts.Find(path)) continue;
    server::MountEntry entry;
    entry.path = server::NormalizeMountPath(path);
    if (Status s = state_.mounts.Add(entry); !s.ok()) return s;
  }
  return Status();
}

// The first start of a store makes a root token; -dev-root-token-id makes
// that one if it is not there yet.
Status VaultApi::Impl::MakeRootToken() {
  const SecretString& wanted = state_.options.root_token_id;
  if (!wanted.empty()) {
    Result<server::TokenEntry> existing = state_.tokens.Lookup(wanted);
    if (existing.ok()) return Status();
    if (!existing.status().Is(ErrorCode::kNotFound)) return existing.status();
  } else {
    Result<bool> made = state_.tokens.RootMade();
    if (!made.ok()) return made.status();
    if (*made) return Status();
  }
  server::TokenEntry root;
  root.policies = {"root"};
  root.display_name = "root";
  Result<SecretString> token = state_.tokens.Create(&root, wanted);
  if (!token.ok()) return token.status();
  if (state_.options.on_root_token) state_.options.on_root_token(*token);
  return Status();
}

VaultResponse VaultApi::Impl::Handle(const VaultRequest& request) {
  try {
    if (std::optional<VaultResponse> page = server::ConsoleRoutes(request)) return std::move(*page);
    ApiCall call(request);
    if (std::optional<VaultResponse> early = Prepare(call)) return std::move(*early);
    // sys/health answers anyone (load balancers ask it).
    const bool open_path = call.path == "sys/health";
    if (!open_path) {
      if (std::optional<VaultResponse> denied = Authenticate(call)) return std::move(*denied);
    }
    if (Status s = call.params.Load(request); !s.ok()) return server::FromStatus(s);
    if (open_path) return *server::SysRoutes(state_, call);
    CallerScope caller(CallerJson(call));
    return Dispatch(call);
  } catch (const std::exception& e) {
    return server::Error(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return server::Error(500, "internal error");
  }
}

// The path under /v1/ and the operation the method names.
std::optional<VaultResponse> VaultApi::Impl::Prepare(ApiCall& call) {
  constexpr std::string_view kPrefix = "/v1/";
  std::string_view path = call.request.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return server::Errors(404, {});
  call.path = server::NormalizeMountPath(path.substr(kPrefix.size()));
  const std::string method = Upper(call.request.method);
  if (method == "GET" || method == "HEAD") {
    call.operation = Operation::kRead;
    call.head = method == "HEAD";
  } else if (method == "LIST") {
    call.operation = Operation::kList;
  } else if (method == "POST" || method == "PUT") {
    call.operation = Operation::kWrite;
  } else if (method == "DELETE") {
    call.operation = Operation::kDelete;
  } else {
    return server::MethodNotAllowed();
  }
  if (call.head && call.path != "sys/health") return server::MethodNotAllowed();
  // GET ?list=<bool> is LIST for clients that cannot send custom methods.
  if (call.operation == Operation::kRead) {
    std::optional<std::string> list;
    server::ForEachQueryPair(call.request.query, [&list](std::string key, std::string value) {
      if (key == "list" && !list) list = std::move(value);
    });
    if (list) {
      Result<bool> listing = server::ParseGoBool(*list, "list");
      if (!listing.ok()) return server::FromStatus(listing.status());
      if (*listing) call.operation = Operation::kList;
    }
  }
  return std::nullopt;
}

std::optional<VaultResponse> VaultApi::Impl::Authenticate(ApiCall& call) {
  if (state_.options.trusted_caller) {
    call.token.accessor = "local";
    call.token.display_name = "local";
    call.token.policies = {"root"};
    call.acl = server::Acl::Root();
    return std::nullopt;
  }
  call.token_text = PresentedToken(call.request);
  if (call.token_text.empty()) return server::PermissionDenied();
  Result<server::TokenEntry> token = state_.tokens.Lookup(call.token_text);
  if (!token.ok()) {
    return token.status().Is(ErrorCode::kNotFound) ? server::PermissionDenied() : server::FromStatus(token.status());
  }
  call.token = std::move(*token);
  Result<server::Acl> acl = state_.policies.AclFor(call.token.policies);
  if (!acl.ok()) return server::FromStatus(acl.status());
  call.acl = std::move(*acl);
  if (!Authorized(call)) return server::PermissionDenied();
  return std::nullopt;
}

bool VaultApi::Impl::Authorized(const ApiCall& call) {
  if (call.acl.root()) return true;
  // Vault checks a list on the folder: "aws/roles/".
  const std::string path = call.operation == Operation::kList ? call.path + "/" : call.path;
  unsigned needed = 0;
  switch (call.operation) {
    case Operation::kRead: needed = server::kRead; break;
    case Operation::kList: needed = server::kList; break;
    case Operation::kDelete: needed = server::kDelete; break;
    case Operation::kWrite: needed = WriteCapability(state_, call); break;
  }
  return call.acl.Allows(path, needed, NeedsSudo(call));
}

VaultResponse VaultApi::Impl::Dispatch(ApiCall& call) {
  std::string_view rest;
  std::optional<VaultResponse> reply;
  if (server::UnderPath(call.path, "sys/leases", &rest)) {
    reply = server::LeaseRoutes(state_, call);
  } else if (server::UnderPath(call.path, "sys/mounts", &rest)) {
    reply = server::MountRoutes(state_, call);
  } else if (server::UnderPath(call.path, "sys", &rest)) {
    reply = server::SysRoutes(state_, call);
  } else if (server::UnderPath(call.path, "auth/token", &rest)) {
    reply = server::TokenRoutes(state_, call);
  } else if (server::UnderPath(call.path, "auth/aws", &rest)) {
    reply = server::AuthAwsHint(call, rest);
  } else {
    std::string mount_rest;
    std::shared_lock<std::shared_mutex> lock(state_.engines_mu);
    if (std::optional<server::MountEntry> mount = state_.mounts.Route(call.path, &mount_rest)) {
      reply = server::AwsRoutes(state_, call, *mount, mount_rest);
    }
  }
  return reply ? std::move(*reply) : server::NoHandler(call);
}

Result<std::unique_ptr<VaultApi>> VaultApi::Open(Host* host, VaultApiOptions options) {
  if (host == nullptr) return Status::InvalidArgument("host", "is required");
  auto impl = std::make_unique<Impl>(host, std::move(options));
  if (Status s = impl->Start(); !s.ok()) return s;
  return std::unique_ptr<VaultApi>(new VaultApi(std::move(impl)));
}

VaultApi::VaultApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VaultApi::~VaultApi() = default;

VaultResponse VaultApi::Handle(const VaultRequest& request) { return impl_->Handle(request); }

namespace server {

Result<Engine*> MountEngine(ApiState& state, const std::string& mount) {
  if (!state.mounts.Has(mount)) return Status::NotFound("no mount " + mount);
  return state.host->OpenMount(mount);
}

VaultResponse ByOperation(const ApiCall& call, const Handlers& handlers) {
  const std::function<VaultResponse()>* handler = nullptr;
  switch (call.operation) {
    case Operation::kRead: handler = &handlers.read; break;
    case Operation::kList: handler = &handlers.list; break;
    case Operation::kWrite: handler = &handlers.write; break;
    case Operation::kDelete: handler = &handlers.remove; break;
  }
  return *handler ? (*handler)() : MethodNotAllowed();
}

VaultResponse MethodNotAllowed() { return Error(405, "unsupported operation"); }
VaultResponse PermissionDenied() { return Error(403, "permission denied"); }
VaultResponse NoHandler(const ApiCall& call) {
  return Error(404, "no handler for route \"" + call.path + "\". route entry not found.");
}

VaultResponse KeysReply(const std::vector<std::string>& keys, std::string mount_type) {
  if (keys.empty()) return Errors(404, {});
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("keys");
        WriteStrings(w, keys);
        w.EndObject();
      },
      std::move(mount_type));
}

bool UnderPath(std::string_view path, std::string_view prefix, std::string_view* rest) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (path.size() == prefix.size()) {
    *rest = {};
    return true;
  }
  if (path[prefix.size()] != '/') return false;
  *rest = path.substr(prefix.size() + 1);
  return true;
}

}  // namespace server
}  // namespace dyncreds
