// token_routes.cc: auth/token: create, lookup-self, lookup,
// lookup-accessor, revoke, revoke-self, revoke-accessor.
//
// A token may only create tokens with a subset of its own policies unless
// it is root or has sudo on auth/token/create, as in Vault. Every new token
// gets the "default" policy unless no_default_policy is set.
#include <algorithm>
#include <chrono>

#include "server/api_call.h"
#include "server/vault_reply.h"
#include "util/time_format.h"

namespace dyncreds::server {
namespace {

constexpr char kMountType[] = "token";

long long RemainingTtl(const TokenEntry& t) {
  if (t.ttl.count() == 0) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(t.Expires() - std::chrono::system_clock::now());
  return std::max<long long>(0, left.count());
}

// data of a lookup; `id` is the token when the caller presented it.
VaultResponse LookupReply(const TokenEntry& t, std::string_view id) {
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("id");
        WriteString(w, id);
        w.Key("accessor");
        WriteString(w, t.accessor);
        w.Key("display_name");
        WriteString(w, t.display_name);
        w.Key("policies");
        WriteStrings(w, t.policies);
        w.Key("creation_time");
        w.Int64(std::chrono::system_clock::to_time_t(t.created));
        w.Key("creation_ttl");
        w.Int64(t.ttl.count());
        w.Key("ttl");
        w.Int64(RemainingTtl(t));
        w.Key("expire_time");
        if (t.ttl.count() == 0) {
          w.Null();
        } else {
          WriteString(w, timefmt::FormatIso8601(t.Expires()));
        }
        w.Key("explicit_max_ttl");
        w.Int64(0);
        w.Key("num_uses");
        w.Int64(0);
        w.Key("orphan");
        w.Bool(t.Root());
        w.Key("renewable");
        w.Bool(false);
        w.Key("path");
        WriteString(w, t.Root() ? "auth/token/root" : "auth/token/create");
        w.Key("type");
        w.String("service");
        w.Key("meta");
        w.Null();
        w.Key("entity_id");
        w.String("");
        w.EndObject();
      },
      kMountType);
}

// The policies asked for, checked against what the caller may hand out.
Result<std::vector<std::string>> NewPolicies(const ApiCall& call) {
  Result<std::vector<std::string>> asked = call.params.Strings("policies");
  if (!asked.ok()) return asked.status();
  std::vector<std::string> policies = asked->empty() ? call.token.policies : *asked;
  const bool may_grant_any = call.acl.root() || call.acl.Allows("auth/token/create", kUpdate, /*needs_sudo=*/true);
  if (!may_grant_any) {
    for (const std::string& p : policies) {
      if (p == "default") continue;
      if (std::find(call.token.policies.begin(), call.token.policies.end(), p) == call.token.policies.end()) {
        return Status::InvalidArgument("policies", "child policies must be a subset of the parent's (\"" + p +
                                                      "\" is not one of them)");
      }
    }
  }
  Result<bool> no_default = call.params.Bool("no_default_policy", false);
  if (!no_default.ok()) return no_default.status();
  if (!*no_default && std::find(policies.begin(), policies.end(), "root") == policies.end() &&
      std::find(policies.begin(), policies.end(), "default") == policies.end()) {
    policies.insert(policies.begin(), "default");
  }
  std::sort(policies.begin(), policies.end());
  policies.erase(std::unique(policies.begin(), policies.end()), policies.end());
  return policies;
}

VaultResponse Create(ApiState& state, const ApiCall& call) {
  Result<std::vector<std::string>> policies = NewPolicies(call);
  if (!policies.ok()) return FromStatus(policies.status());
  Result<std::optional<std::chrono::seconds>> ttl = call.params.Duration("ttl");
  if (!ttl.ok()) return FromStatus(ttl.status());
  Result<std::string> display = call.params.String("display_name");
  if (!display.ok()) return FromStatus(display.status());
  TokenEntry entry;
  entry.policies = *policies;
  entry.display_name = display->empty() ? "token" : "token-" + *display;
  entry.ttl = ttl->value_or(std::chrono::seconds(0));
  Result<SecretString> token = state.tokens.Create(&entry);
  if (!token.ok()) return FromStatus(token.status());
  Envelope e;
  e.mount_type = kMountType;
  e.auth = [&](JsonWriter& w) {
    w.StartObject();
    w.Key("client_token");
    WriteString(w, token->view());
    w.Key("accessor");
    WriteString(w, entry.accessor);
    w.Key("policies");
    WriteStrings(w, entry.policies);
    w.Key("token_policies");
    WriteStrings(w, entry.policies);
    w.Key("metadata");
    w.Null();
    w.Key("lease_duration");
    w.Int64(entry.ttl.count());
    w.Key("renewable");
    w.Bool(false);
    w.Key("entity_id");
    w.String("");
    w.Key("token_type");
    w.String("service");
    w.Key("orphan");
    w.Bool(false);
    w.EndObject();
  };
  return Reply(e);
}

Result<std::string> Required(const ApiCall& call, const char* key) {
  Result<std::string> v = call.params.String(key);
  if (v.ok() && v->empty()) return Status::InvalidArgument(key, "is required");
  return v;
}

VaultResponse Done(const Status& s) {
  if (s.Is(ErrorCode::kNotFound)) return Error(400, "invalid token");
  return s.ok() ? NoContent() : FromStatus(s);
}

}  // namespace

std::optional<VaultResponse> TokenRoutes(ApiState& state, ApiCall& call) {
  std::string_view rest;
  UnderPath(call.path, "auth/token", &rest);
  if (rest == "create") return ByOperation(call, {nullptr, nullptr, [&] { return Create(state, call); }});
  if (rest == "lookup-self") {
    auto self = [&] { return LookupReply(call.token, call.token_text.view()); };
    return ByOperation(call, {self, nullptr, self});
  }
  if (rest == "lookup") {
    return ByOperation(call, {nullptr, nullptr, [&] {
                                Result<std::string> text = Required(call, "token");
                                if (!text.ok()) return FromStatus(text.status());
                                SecretString token(*text);
                                Result<TokenEntry> t = state.tokens.Lookup(token);
                                return t.ok() ? LookupReply(*t, token.view()) : Done(t.status());
                              }});
  }
  if (rest == "lookup-accessor") {
    return ByOperation(call, {nullptr, nullptr, [&] {
                                Result<std::string> accessor = Required(call, "accessor");
                                if (!accessor.ok()) return FromStatus(accessor.status());
                                Result<TokenEntry> t = state.tokens.LookupAccessor(*accessor);
                                return t.ok() ? LookupReply(*t, "") : Done(t.status());
                              }});
  }
  if (rest == "revoke") {
    return ByOperation(call, {nullptr, nullptr, [&] {
                                Result<std::string> text = Required(call, "token");
                                return text.ok() ? Done(state.tokens.Revoke(SecretString(*text))) : FromStatus(text.status());
                              }});
  }
  if (rest == "revoke-self") {
    return ByOperation(call, {nullptr, nullptr, [&] { return Done(state.tokens.Revoke(call.token_text)); }});
  }
  if (rest == "revoke-accessor") {
    return ByOperation(call, {nullptr, nullptr, [&] {
                                Result<std::string> accessor = Required(call, "accessor");
                                return accessor.ok() ? Done(state.tokens.RevokeAccessor(*accessor))
                                                     : FromStatus(accessor.status());
                              }});
  }
  return std::nullopt;
}

}  // namespace dyncreds::server
