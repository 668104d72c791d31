// aws_routes.cc: the AWS engine's paths under a mount, with Vault's methods,
// parameters and reply shapes: config/root, config/lease,
// config/rotate-root, roles, roles/<name>, creds/<name> and sts/<name>.
#include "dyncreds/json.h"
#include "dyncreds/role.h"
#include "server/api_call.h"
#include "server/vault_reply.h"

namespace dyncreds::server {
namespace {

constexpr char kMountType[] = "aws";

VaultResponse JsonData(const Result<std::string>& json) {
  if (!json.ok()) return FromStatus(json.status());
  return DataReply([&](JsonWriter& w) { WriteRaw(w, *json); }, kMountType);
}

VaultResponse Done(const Status& s) { return s.ok() ? NoContent() : FromStatus(s); }

// A missing role reads as Vault's empty 404.
VaultResponse RoleData(const Result<Role>& role) {
  if (!role.ok()) return role.status().Is(ErrorCode::kNotFound) ? Errors(404, {}) : FromStatus(role.status());
  return JsonData(RoleToJson(*role));
}

Result<IssueOptions> IssueOptionsOf(const ApiCall& call) {
  IssueOptions options;
  Result<std::optional<std::chrono::seconds>> ttl = call.params.Duration("ttl");
  if (!ttl.ok()) return ttl.status();
  options.ttl = *ttl;
  struct {
    const char* key;
    std::string* into;
  } strings[] = {{"role_arn", &options.role_arn},
                 {"role_session_name", &options.role_session_name},
                 {"mfa_code", &options.mfa_code}};
  for (const auto& s : strings) {
    if (!call.params.Has(s.key)) continue;
    Result<std::string> value = call.params.String(s.key);
    if (!value.ok()) return value.status();
    *s.into = std::move(*value);
  }
  if (!call.token.display_name.empty()) options.display_name = call.token.display_name;
  return options;
}

// data: access_key, secret_key, session_token (null for iam_user), and for
// STS types security_token (the same, for old clients), arn and ttl.
void WriteCredentialData(JsonWriter& w, const IssuedCredential& issued, bool sts) {
  const AwsCredentials& c = issued.credentials;
  w.StartObject();
  w.Key("access_key");
  WriteString(w, c.access_key_id());
  w.Key("secret_key");
  WriteString(w, c.secret_access_key().view());
  w.Key("session_token");
  if (sts) {
    WriteString(w, c.session_token().view());
    w.Key("security_token");
    WriteString(w, c.session_token().view());
    w.Key("arn");
    WriteString(w, issued.arn);
    w.Key("ttl");
    w.Int64(issued.lease_duration.count());
  } else {
    w.Null();
  }
  w.EndObject();
}

VaultResponse IssueCredential(Engine& engine, const ApiCall& call, std::string_view role_name, bool sts_path) {
  if (sts_path) {  // sts/ is for the STS types only, as in Vault
    Result<Role> role = engine.ReadRole(role_name);
    if (!role.ok()) return FromStatus(role.status());
    if (role->credential_type == CredentialType::kIamUser) {
      return Error(400, "sts/" + std::string(role_name) + ": the role's credential_type is iam_user; read creds/" +
                            std::string(role_name) + " instead");
    }
  }
  Result<IssueOptions> options = IssueOptionsOf(call);
  if (!options.ok()) return FromStatus(options.status());
  Result<IssuedCredential> issued = engine.Issue(role_name, *options);
  if (!issued.ok()) return FromStatus(issued.status());
  Envelope e;
  e.lease_id = issued->lease_id;
  e.renewable = issued->renewable;
  e.lease_duration = issued->lease_duration.count();
  e.mount_type = kMountType;
  const bool sts = !issued->credentials.session_token().empty();  // every STS type has one; iam_user none
  e.data = [&](JsonWriter& w) { WriteCredentialData(w, *issued, sts); };
  return Reply(e);
}

VaultResponse RotateRoot(Engine& engine) {
  Result<std::string> key = engine.RotateRoot();
  if (!key.ok()) return FromStatus(key.status());
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("access_key");
        WriteString(w, *key);
        w.EndObject();
      },
      kMountType);
}

}  // namespace

std::optional<VaultResponse> AwsRoutes(ApiState& state, ApiCall& call, const MountEntry& mount, std::string_view rest) {
  Result<Engine*> opened = MountEngine(state, mount.path);
  if (!opened.ok()) return FromStatus(opened.status());
  Engine& engine = **opened;
  std::string_view name;
  if (rest == "config/root") {
    return ByOperation(call, {[&] { return JsonData(engine.ReadRootConfig()); }, nullptr,
                              [&] { return Done(engine.WriteRootConfig(call.params.ObjectJson().view())); }, nullptr});
  }
  if (rest == "config/lease") {
    return ByOperation(call, {[&] { return JsonData(engine.ReadLeaseConfig()); }, nullptr,
                              [&] { return Done(engine.WriteLeaseConfig(call.params.ObjectJson().view())); }, nullptr});
  }
  if (rest == "config/rotate-root") return ByOperation(call, {nullptr, nullptr, [&] { return RotateRoot(engine); }});
  if (rest == "roles") {
    return ByOperation(call, {nullptr, [&] {
                                Result<std::vector<std::string>> roles = engine.ListRoles();
                                return roles.ok() ? KeysReply(*roles, kMountType) : FromStatus(roles.status());
                              }});
  }
  if (UnderPath(rest, "roles", &name)) {
    return ByOperation(call, {[&] { return RoleData(engine.ReadRole(name)); }, nullptr,
                              [&] { return Done(engine.WriteRole(name, call.params.ObjectJson().view())); },
                              [&] {
                                Status s = engine.DeleteRole(name);
                                return Done(s.Is(ErrorCode::kNotFound) ? Status() : s);  // Vault: deleting nothing is done
                              }});
  }
  for (const char* kind : {"creds", "sts"}) {
    if (UnderPath(rest, kind, &name) && !name.empty() && name.find('/') == std::string_view::npos) {
      const bool sts_path = kind[0] == 's';
      auto issue = [&] { return IssueCredential(engine, call, name, sts_path); };
      return ByOperation(call, {issue, nullptr, issue, nullptr});
    }
  }
  return std::nullopt;
}

}  // namespace dyncreds::server
