#include "core/lease_config.h"

#include "dyncreds/ttl.h"
#include "util/json_read.h"

namespace dyncreds::core {

using std::chrono::seconds;

Result<LeaseConfig> ParseLeaseConfig(std::string_view json) {
  Result<rapidjson::Document> doc = jsonread::ParseObject(json, kLeaseConfigKey);
  if (!doc.ok()) return doc.status();
  LeaseConfig next;
  for (const char* field : {"lease", "lease_max"}) {
    if (!doc->HasMember(field)) return Status::InvalidArgument(field, "is required");
    const rapidjson::Value& v = (*doc)[field];
    Result<seconds> ttl = v.IsInt64()    ? Result<seconds>(seconds(v.GetInt64()))
                          : v.IsString() ? ParseTtl(v.GetString(), field)
                                         : Result<seconds>(Status::InvalidArgument(field, "must be a duration"));
    if (!ttl.ok()) return ttl.status();
    if (ttl->count() <= 0) return Status::InvalidArgument(field, "must be positive");
    (std::string_view(field) == "lease" ? next.lease : next.lease_max) = *ttl;
  }
  for (const auto& m : doc->GetObject()) {
    const std::string key = jsonread::String(m.name);
    if (key != "lease" && key != "lease_max") return Status::InvalidArgument(key, "unknown field of config/lease");
  }
  if (next.lease > next.lease_max) return Status::InvalidArgument("lease", "must not exceed lease_max");
  return next;
}

std::string LeaseConfigJson(const LeaseConfig& config) {
  return R"({"lease":")" + FormatTtl(config.lease) + R"(","lease_max":")" + FormatTtl(config.lease_max) + "\"}";
}

}  // namespace dyncreds::core
