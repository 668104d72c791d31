// mount_routes.cc: sys/mounts: enabling, listing, tuning and disabling AWS
// engines at any path (`vault secrets enable -path=aws-us-west-2 aws`).
//
// A mount's default_lease_ttl and max_lease_ttl are its engine's
// config/lease (lease, lease_max): one setting, two ways to write it.
// Disabling revokes every lease of the mount first, as Vault does, and
// refuses while any of them cannot be revoked or an issuance is still in
// progress, so no IAM user is left that nothing would delete.
#include <rapidjson/document.h>

#include <mutex>

#include "core/lease_config.h"
#include "core/root_config.h"
#include "dyncreds/ttl.h"
#include "server/api_call.h"
#include "server/vault_reply.h"
#include "util/json_read.h"

namespace dyncreds::server {
namespace {

constexpr char kMountType[] = "system";
constexpr char kRotationRecordKey[] = "config/root-rotation";

void WriteMountConfig(JsonWriter& w, Engine* engine) {
  long long lease = 0, lease_max = 0;
  if (engine != nullptr) {
    Result<std::string> json = engine->ReadLeaseConfig();
    Result<core::LeaseConfig> config = json.ok() ? core::ParseLeaseConfig(*json) : Result<core::LeaseConfig>(json.status());
    if (config.ok()) {
      lease = config->lease.count();
      lease_max = config->lease_max.count();
    }
  }
  w.StartObject();
  w.Key("default_lease_ttl");
  w.Int64(lease);
  w.Key("max_lease_ttl");
  w.Int64(lease_max);
  w.Key("force_no_cache");
  w.Bool(false);
  w.EndObject();
}

void WriteMount(JsonWriter& w, const MountEntry& m, Engine* engine) {
  w.StartObject();
  w.Key("type");
  WriteString(w, m.type);
  w.Key("description");
  WriteString(w, m.description);
  w.Key("accessor");
  WriteString(w, m.accessor);
  w.Key("uuid");
  WriteString(w, m.uuid);
  w.Key("config");
  WriteMountConfig(w, engine);
  w.Key("local");
  w.Bool(false);
  w.Key("seal_wrap");
  w.Bool(false);
  w.Key("external_entropy_access");
  w.Bool(false);
  w.Key("options");
  w.Null();
  w.EndObject();
}

// GET sys/mounts: the mounts keyed "<path>/", in data and (as Vault does)
// at the top level too.
VaultResponse ListMounts(ApiState& state) {
  const std::vector<MountEntry> mounts = state.mounts.List();
  auto write = [&](JsonWriter& w) {
    for (const MountEntry& m : mounts) {
      const std::string key = m.path + "/";
      w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      Result<Engine*> engine = MountEngine(state, m.path);
      WriteMount(w, m, engine.ok() ? *engine : nullptr);
    }
  };
  return DataAndTopLevelReply(write, kMountType);
}

VaultResponse ReadMount(ApiState& state, const std::string& path, bool tune_only) {
  std::optional<MountEntry> m = state.mounts.Find(path);
  if (!m) return Error(400, "path: no mount at " + path + "/");
  Result<Engine*> engine = MountEngine(state, m->path);
  if (!engine.ok()) return FromStatus(engine.status());
  return DataReply(
      [&](JsonWriter& w) {
        if (tune_only) {
          WriteMountConfig(w, *engine);
        } else {
          WriteMount(w, *m, *engine);
        }
      },
      kMountType);
}

// The TTLs of `config` (an object with default_lease_ttl / max_lease_ttl)
// written as the engine's config/lease, keeping what is not given.
Status ApplyLeaseTtls(Engine* engine, const rapidjson::Value* config) {
  if (config == nullptr) return Status();
  if (!config->IsObject()) return Status::InvalidArgument("config", "must be an object");
  const bool has_default = config->HasMember("default_lease_ttl"), has_max = config->HasMember("max_lease_ttl");
  if (!has_default && !has_max) return Status();
  Result<std::string> current = engine->ReadLeaseConfig();
  if (!current.ok()) return current.status();
  Result<rapidjson::Document> lease = jsonread::ParseObject(*current, "config/lease");
  if (!lease.ok()) return lease.status();
  auto& a = lease->GetAllocator();
  const std::pair<const char*, const char*> fields[] = {{"default_lease_ttl", "lease"}, {"max_lease_ttl", "lease_max"}};
  for (const auto& [from, to] : fields) {
    if (!config->HasMember(from)) continue;
    Result<std::chrono::seconds> ttl = DurationOf((*config)[from], from);
    if (!ttl.ok()) return ttl.status();
    if (ttl->count() == 0) continue;  // Vault: 0 means "the system default"
    (*lease)[to].SetString(FormatTtl(*ttl).c_str(), a);
  }
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  lease->Accept(w);
  return engine->WriteLeaseConfig(out.GetString());
}

VaultResponse Enable(ApiState& state, const ApiCall& call, const std::string& path) {
  Result<std::string> type = call.params.String("type");
  if (!type.ok()) return FromStatus(type.status());
  if (type->empty()) return Error(400, "type: is required (this server mounts \"aws\" engines)");
  if (*type != "aws") return Error(400, "type: plugin not found in the catalog: " + *type + " (only \"aws\" is served)");
  MountEntry entry;
  entry.path = path;
  Result<std::string> description = call.params.String("description");
  if (!description.ok()) return FromStatus(description.status());
  entry.description = *description;
  std::unique_lock<std::shared_mutex> lock(state.engines_mu);
  if (Status s = state.mounts.Add(entry); !s.ok()) return FromStatus(s);
  Result<Engine*> engine = MountEngine(state, path);
  Status s = engine.status();
  if (s.ok()) s = ApplyLeaseTtls(*engine, call.params.Value("config"));
  if (!s.ok()) {
    state.mounts.Remove(path);  // nothing was issued on it yet
    return FromStatus(s);
  }
  return NoContent();
}

VaultResponse Tune(ApiState& state, const ApiCall& call, const std::string& path) {
  std::optional<MountEntry> m = state.mounts.Find(path);
  if (!m) return Error(400, "path: no mount at " + path + "/");
  Result<Engine*> engine = MountEngine(state, path);
  if (!engine.ok()) return FromStatus(engine.status());
  // Tune takes the TTLs at the top level of its body.
  rapidjson::Document config(rapidjson::kObjectType);
  for (const char* key : {"default_lease_ttl", "max_lease_ttl"}) {
    if (const rapidjson::Value* v = call.params.Value(key)) {
      config.AddMember(rapidjson::StringRef(key), rapidjson::Value(*v, config.GetAllocator()), config.GetAllocator());
    }
  }
  if (Status s = ApplyLeaseTtls(*engine, &config); !s.ok()) return FromStatus(s);
  if (call.params.Has("description")) {
    Result<std::string> description = call.params.String("description");
    if (!description.ok()) return FromStatus(description.status());
    m->description = *description;
    if (Status s = state.mounts.Update(*m); !s.ok()) return FromStatus(s);
  }
  return NoContent();
}

// Removes what the engine kept for the mount once it has no lease left.
Status ForgetMount(LeaseStore& store, const std::string& path) {
  Result<std::vector<std::string>> roles = store.ListRoles(path);
  if (!roles.ok()) return roles.status();
  for (const std::string& role : *roles) {
    if (Status s = store.DeleteRole(path, role); !s.ok() && !s.Is(ErrorCode::kNotFound)) return s;
  }
  for (const char* key : {core::kRootConfigKey, core::kLeaseConfigKey}) {
    if (Status s = store.DeleteConfig(path, key); !s.ok()) return s;
  }
  return Status();
}

VaultResponse Disable(ApiState& state, const std::string& path) {
  std::unique_lock<std::shared_mutex> lock(state.engines_mu);
  if (!state.mounts.Find(path)) return NoContent();  // as Vault: disabling nothing succeeds
  LeaseStore& store = state.host->store();
  Result<std::vector<Intent>> intents = store.ListIntents(path, TimePoint::max());
  if (!intents.ok()) return FromStatus(intents.status());
  if (!intents->empty()) {
    return Error(400, "path: " + path + "/ has " + std::to_string(intents->size()) +
                          " issuance(s) in progress or awaiting recovery; try again once they settle");
  }
  if (store.GetConfig(path, kRotationRecordKey).ok()) {
    return Error(400, "path: " + path + "/ has an unfinished config/rotate-root; try again once it completes");
  }
  Result<Engine*> engine = MountEngine(state, path);
  if (!engine.ok()) return FromStatus(engine.status());
  Result<std::size_t> revoked = (*engine)->RevokePrefix(path + "/");
  if (!revoked.ok()) return FromStatus(revoked.status().WithContext("disabling " + path + "/: leases remain"));
  if (Status s = state.host->CloseMount(path); !s.ok()) return FromStatus(s);
  if (Status s = ForgetMount(store, path); !s.ok()) return FromStatus(s);
  if (Status s = state.mounts.Remove(path); !s.ok()) return FromStatus(s);
  return NoContent();
}

}  // namespace

std::optional<VaultResponse> MountRoutes(ApiState& state, ApiCall& call) {
  std::string_view rest;
  UnderPath(call.path, "sys/mounts", &rest);
  if (rest.empty()) {
    std::shared_lock<std::shared_mutex> lock(state.engines_mu);
    return ByOperation(call, {[&] { return ListMounts(state); }});
  }
  std::string path(rest);
  constexpr std::string_view kTune = "/tune";
  if (path.size() > kTune.size() && path.compare(path.size() - kTune.size(), kTune.size(), kTune) == 0) {
    path.resize(path.size() - kTune.size());
    std::shared_lock<std::shared_mutex> lock(state.engines_mu);
    return ByOperation(call, {[&] { return ReadMount(state, path, true); }, nullptr, [&] { return Tune(state, call, path); }});
  }
  return ByOperation(call, {[&] {
                              std::shared_lock<std::shared_mutex> lock(state.engines_mu);
                              return ReadMount(state, path, false);
                            },
                            nullptr, [&] { return Enable(state, call, path); },
                            [&] { return Disable(state, path); }});
}

}  // namespace dyncreds::server
