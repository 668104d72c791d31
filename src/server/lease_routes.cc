// lease_routes.cc: sys/leases, Vault's lease API over every mount's
// engine: lookup, lookup/<prefix> (LIST), renew, revoke, revoke-prefix,
// revoke-force, tidy, count and the irrevocable list. A lease id names its
// mount ("aws-us-west-2/creds/dev/..."), which picks the engine.
#include <chrono>
#include <iterator>
#include <set>

#include "dyncreds/json.h"
#include "server/api_call.h"
#include "server/vault_reply.h"
#include "util/time_format.h"

namespace dyncreds::server {
namespace {

constexpr char kMountType[] = "system";

struct LeaseTarget {
  Engine* engine = nullptr;
  std::string id;  // the lease id or prefix, without slashes at its ends
};

// The engine whose mount `id` falls under; Vault's "invalid lease" if none.
Result<LeaseTarget> TargetOf(ApiState& state, std::string_view id) {
  LeaseTarget target;
  target.id = NormalizeMountPath(id);
  std::string rest;
  std::optional<MountEntry> mount = state.mounts.Route(target.id, &rest);
  if (!mount) return Status::InvalidArgument("lease_id", "invalid lease");
  Result<Engine*> engine = MountEngine(state, mount->path);
  if (!engine.ok()) return engine.status();
  target.engine = *engine;
  return target;
}

// The lease id from the body (lease_id, or url_lease_id as hvac's renew
// sends it), else from the path after the route.
Result<std::string> LeaseIdOf(const ApiCall& call, std::string_view in_path) {
  for (const char* key : {"lease_id", "url_lease_id"}) {
    if (call.params.Has(key)) return call.params.String(key);
  }
  if (!in_path.empty()) return std::string(in_path);
  return Status::InvalidArgument("lease_id", "is required");
}

// Vault's "invalid lease" for a lease that is not there.
VaultResponse LeaseError(const Status& s) {
  return s.Is(ErrorCode::kNotFound) ? Error(400, "invalid lease") : FromStatus(s);
}

void WriteTime(JsonWriter& w, TimePoint t) { WriteString(w, timefmt::FormatIso8601(t)); }

VaultResponse Lookup(ApiState& state, const ApiCall& call) {
  Result<std::string> id = LeaseIdOf(call, "");
  if (!id.ok()) return FromStatus(id.status());
  Result<LeaseTarget> target = TargetOf(state, *id);
  if (!target.ok()) return LeaseError(target.status());
  Result<Lease> lease = target->engine->Lookup(target->id);
  if (!lease.ok()) return LeaseError(lease.status());
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(lease->expires_at - std::chrono::system_clock::now());
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("id");
        WriteString(w, lease->id);
        w.Key("issue_time");
        WriteTime(w, lease->issued_at);
        w.Key("expire_time");
        WriteTime(w, lease->expires_at);
        w.Key("last_renewal");
        w.Null();
        w.Key("renewable");
        w.Bool(lease->renewable);
        w.Key("ttl");
        w.Int64(std::max<long long>(0, ttl.count()));
        w.EndObject();
      },
      kMountType);
}

// LIST lookup/<prefix>: the next segment of each lease under the prefix,
// folders ending in '/'. With no prefix, the mounts are the folders.
VaultResponse ListPrefix(ApiState& state, std::string_view prefix) {
  std::set<std::string> keys;
  if (prefix.empty()) {
    for (const MountEntry& m : state.mounts.List()) keys.insert(m.path + "/");
  } else {
    Result<LeaseTarget> target = TargetOf(state, prefix);
    if (!target.ok()) return LeaseError(target.status());
    const std::string folder = target->id + "/";
    Result<std::vector<Lease>> leases = target->engine->ListLeases(folder);
    if (!leases.ok()) return FromStatus(leases.status());
    for (const Lease& lease : *leases) {
      const std::string_view rest = std::string_view(lease.id).substr(folder.size());
      const std::size_t slash = rest.find('/');
      keys.insert(std::string(slash == std::string_view::npos ? rest : rest.substr(0, slash + 1)));
    }
  }
  return KeysReply({keys.begin(), keys.end()}, kMountType);
}

VaultResponse Renew(ApiState& state, const ApiCall& call, std::string_view in_path) {
  Result<std::string> id = LeaseIdOf(call, in_path);
  if (!id.ok()) return FromStatus(id.status());
  Result<std::optional<std::chrono::seconds>> increment = call.params.Duration("increment");
  if (!increment.ok()) return FromStatus(increment.status());
  Result<LeaseTarget> target = TargetOf(state, *id);
  if (!target.ok()) return LeaseError(target.status());
  Result<Lease> lease = target->engine->Renew(target->id, increment->value_or(std::chrono::seconds(0)));
  if (!lease.ok()) return LeaseError(lease.status());
  Envelope e;
  e.lease_id = lease->id;
  e.renewable = lease->renewable;
  e.lease_duration = std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::seconds>(lease->expires_at - std::chrono::system_clock::now()).count());
  e.mount_type = kMountType;
  return Reply(e);
}

VaultResponse Revoke(ApiState& state, const ApiCall& call, std::string_view in_path) {
  Result<std::string> id = LeaseIdOf(call, in_path);
  if (!id.ok()) return FromStatus(id.status());
  if (Result<bool> sync = call.params.Bool("sync", true); !sync.ok()) return FromStatus(sync.status());
  Result<LeaseTarget> target = TargetOf(state, *id);
  if (!target.ok()) return LeaseError(target.status());
  Status s = target->engine->Revoke(target->id);
  return s.ok() ? NoContent() : LeaseError(s);
}

VaultResponse RevokePrefix(ApiState& state, std::string_view prefix, bool force) {
  if (prefix.empty()) return Error(400, "prefix: is required (sys/leases/revoke-prefix/<prefix>)");
  Result<LeaseTarget> target = TargetOf(state, prefix);
  if (!target.ok()) return FromStatus(target.status());
  if (force) {
    Result<ForceRevokeReport> report = target->engine->ForceRevoke(target->id);
    return report.ok() ? NoContent() : FromStatus(report.status());
  }
  Result<std::size_t> revoked = target->engine->RevokePrefix(target->id);
  return revoked.ok() ? NoContent() : FromStatus(revoked.status());
}

// Every mount's irrevocable leases (the store keeps them apart).
Result<std::vector<Lease>> Irrevocable(ApiState& state) {
  std::vector<Lease> out;
  for (const MountEntry& m : state.mounts.List()) {
    Result<std::vector<Lease>> leases = state.host->store().IrrevocableLeases(m.path, m.path + "/");
    if (!leases.ok()) return leases.status();
    out.insert(out.end(), std::make_move_iterator(leases->begin()), std::make_move_iterator(leases->end()));
  }
  return out;
}

Status CheckIrrevocableType(const ApiCall& call) {
  Result<std::string> type = call.params.String("type");
  if (!type.ok()) return type.status();
  if (*type != "irrevocable") return Status::InvalidArgument("type", "must be \"irrevocable\"");
  return Status();
}

// GET sys/leases?type=irrevocable and sys/leases/count?type=irrevocable.
VaultResponse IrrevocableReply(ApiState& state, const ApiCall& call, bool count_only) {
  if (Status s = CheckIrrevocableType(call); !s.ok()) return FromStatus(s);
  Result<std::vector<Lease>> leases = Irrevocable(state);
  if (!leases.ok()) return FromStatus(leases.status());
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        w.Key("lease_count");
        w.Uint64(leases->size());
        if (!count_only) {
          w.Key("leases");
          WriteRaw(w, LeasesToJson(*leases));
        }
        w.EndObject();
      },
      kMountType);
}

// Tidies every mount; data: {"<mount>": report}.
VaultResponse Tidy(ApiState& state) {
  std::vector<std::pair<std::string, std::string>> reports;
  for (const MountEntry& m : state.mounts.List()) {
    Result<Engine*> engine = MountEngine(state, m.path);
    if (!engine.ok()) return FromStatus(engine.status());
    Result<TidyReport> report = (*engine)->Tidy();
    if (!report.ok()) return FromStatus(report.status().WithContext("tidying mount " + m.path));
    reports.emplace_back(m.path, TidyReportToJson(*report));
  }
  return DataReply(
      [&](JsonWriter& w) {
        w.StartObject();
        for (const auto& [mount, json] : reports) {
          w.Key(mount.c_str(), static_cast<rapidjson::SizeType>(mount.size()));
          WriteRaw(w, json);
        }
        w.EndObject();
      },
      kMountType);
}

}  // namespace

std::optional<VaultResponse> LeaseRoutes(ApiState& state, ApiCall& call) {
  std::string_view rest, tail;
  UnderPath(call.path, "sys/leases", &rest);
  std::shared_lock<std::shared_mutex> lock(state.engines_mu);
  if (rest.empty()) return ByOperation(call, {[&] { return IrrevocableReply(state, call, false); }});
  if (rest == "count") return ByOperation(call, {[&] { return IrrevocableReply(state, call, true); }});
  if (rest == "tidy") return ByOperation(call, {nullptr, nullptr, [&] { return Tidy(state); }});
  if (UnderPath(rest, "lookup", &tail)) {
    if (!tail.empty()) return ByOperation(call, {nullptr, [&] { return ListPrefix(state, tail); }});
    return ByOperation(call, {nullptr, [&] { return ListPrefix(state, ""); }, [&] { return Lookup(state, call); }});
  }
  if (UnderPath(rest, "renew", &tail)) return ByOperation(call, {nullptr, nullptr, [&] { return Renew(state, call, tail); }});
  if (UnderPath(rest, "revoke", &tail)) return ByOperation(call, {nullptr, nullptr, [&] { return Revoke(state, call, tail); }});
  for (const char* route : {"revoke-prefix", "revoke-force"}) {
    if (UnderPath(rest, route, &tail)) {
      const bool force = std::string_view(route) == "revoke-force";
      return ByOperation(call, {nullptr, nullptr, [&] { return RevokePrefix(state, tail, force); }});
    }
  }
  return std::nullopt;
}

}  // namespace dyncreds::server
