// sys_routes.cc: the sys/ paths other than leases and mounts: sys/health
// (no token; GET and HEAD), sys/metrics (Prometheus text with
// ?format=prometheus) and ACL policies at sys/policy/<name> and
// sys/policies/acl/<name>.
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include "dyncreds/metrics.h"
#include "server/api_call.h"
#include "server/vault_reply.h"

namespace dyncreds::server {
namespace {

constexpr char kMountType[] = "system";

// Vault's status codes for an active, unsealed, initialised node, with the
// query parameters that override them (activecode=...); standbyok and the
// other states' codes are accepted and do not apply to a single node.
VaultResponse Health(ApiState& state, const ApiCall& call) {
  int status = 200;
  if (call.params.Has("activecode")) {
    Result<std::string> code = call.params.String("activecode");
    int parsed = 0;
    try {
      parsed = code.ok() ? std::stoi(*code) : 0;
    } catch (const std::exception&) {
      parsed = 0;
    }
    if (parsed < 100 || parsed > 599) return Error(400, "activecode: must be an HTTP status code");
    status = parsed;
  }
  const long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  VaultResponse r = RawJson(status, [&](JsonWriter& w) {
    w.StartObject();
    w.Key("initialized");
    w.Bool(true);
    w.Key("sealed");
    w.Bool(false);
    w.Key("standby");
    w.Bool(false);
    w.Key("performance_standby");
    w.Bool(false);
    w.Key("replication_performance_mode");
    w.String("disabled");
    w.Key("replication_dr_mode");
    w.String("disabled");
    w.Key("server_time_utc");
    w.Int64(now);
    w.Key("version");
    WriteString(w, state.options.version);
    w.Key("cluster_name");
    WriteString(w, state.options.cluster_name);
    w.Key("cluster_id");
    WriteString(w, state.cluster_id);
    w.EndObject();
  });
  if (call.head) r.body = SecretString();
  return r;
}

VaultResponse Metrics(ApiState& state, const ApiCall& call) {
  Result<std::string> format = call.params.String("format");
  if (!format.ok()) return FromStatus(format.status());
  if (!format->empty() && *format != "prometheus") return Error(400, "format: must be \"prometheus\" or absent");
  std::vector<MetricsSnapshot> snapshots;
  {
    std::shared_lock<std::shared_mutex> lock(state.engines_mu);
    for (const MountEntry& m : state.mounts.List()) {
      Result<Engine*> engine = MountEngine(state, m.path);
      if (!engine.ok()) return FromStatus(engine.status());
      Result<MetricsSnapshot> snapshot = (*engine)->Metrics();
      if (!snapshot.ok()) return FromStatus(snapshot.status());
      snapshots.push_back(std::move(*snapshot));
    }
  }
  VaultResponse r;
  r.status = 200;
  const std::string text = PrometheusText(snapshots);
  if (*format == "prometheus") {
    r.content_type = "text/plain; version=0.0.4";
    r.body = SecretString(text);
    return r;
  }
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("prometheus");
        WriteString(w, text);
        w.EndObject();
      },
      kMountType);
}

// sys/policy/<name> answers {"name","rules"}, sys/policies/acl/<name>
// {"name","policy"}; both take "policy" (and the older "rules") on write.
VaultResponse ReadPolicy(ApiState& state, const std::string& name, const char* text_key) {
  Result<std::string> text = state.policies.Get(name);
  if (!text.ok()) return text.status().Is(ErrorCode::kNotFound) ? Errors(404, {}) : FromStatus(text.status());
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("name");
        WriteString(w, name);
        w.Key(text_key);
        WriteString(w, *text);
        w.EndObject();
      },
      kMountType);
}

VaultResponse WritePolicy(ApiState& state, const ApiCall& call, const std::string& name) {
  const char* key = call.params.Has("policy") ? "policy" : "rules";
  if (!call.params.Has(key)) return Error(400, "policy: is required");
  Result<std::string> text = call.params.String(key);
  if (!text.ok()) return FromStatus(text.status());
  Status s = state.policies.Put(name, *text);
  return s.ok() ? NoContent() : FromStatus(s);
}

VaultResponse ListPolicies(ApiState& state, bool with_policies_key) {
  Result<std::vector<std::string>> names = state.policies.List();
  if (!names.ok()) return FromStatus(names.status());
  if (!with_policies_key) return KeysReply(*names, kMountType);
  auto write = [&](JsonWriter& w) {
    w.Key("keys");
    WriteStrings(w, *names);
    w.Key("policies");
    WriteStrings(w, *names);
  };
  return DataAndTopLevelReply(write, kMountType);
}

std::optional<VaultResponse> PolicyRoutes(ApiState& state, ApiCall& call, std::string_view base, const char* text_key) {
  std::string_view name;
  if (!UnderPath(call.path, base, &name)) return std::nullopt;
  const bool legacy = base == "sys/policy";
  if (name.empty()) {
    std::function<VaultResponse()> list = [&] { return ListPolicies(state, legacy); };
    return ByOperation(call, {legacy ? list : nullptr, list});
  }
  const std::string n(name);
  return ByOperation(call, {[&] { return ReadPolicy(state, n, text_key); }, nullptr,
                            [&] { return WritePolicy(state, call, n); },
                            [&] {
                              Status s = state.policies.Delete(n);
                              return s.ok() ? NoContent() : FromStatus(s);
                            }});
}

}  // namespace

std::optional<VaultResponse> SysRoutes(ApiState& state, ApiCall& call) {
  if (call.path == "sys/health") return ByOperation(call, {[&] { return Health(state, call); }});
  if (call.path == "sys/metrics") return ByOperation(call, {[&] { return Metrics(state, call); }});
  if (std::optional<VaultResponse> r = PolicyRoutes(state, call, "sys/policies/acl", "policy")) return r;
  return PolicyRoutes(state, call, "sys/policy", "rules");
}

}  // namespace dyncreds::server
