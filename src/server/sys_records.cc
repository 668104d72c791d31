#include "server/sys_records.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/json_read.h"

namespace dyncreds::server {

Result<rapidjson::Document> ReadSysRecord(LeaseStore* store, std::string_view key) {
  Result<ConfigEntry> entry = store->GetConfig(kSysMount, key);
  if (!entry.ok()) return entry.status();
  return jsonread::Parse(entry->json, key);
}

Status WriteSysRecord(LeaseStore* store, std::string_view key, const rapidjson::Value& doc) {
  rapidjson::StringBuffer out;  // never a secret: tokens are kept as hashes
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  doc.Accept(w);
  ConfigEntry entry;
  entry.json.assign(out.GetString(), out.GetSize());
  return store->PutConfig(kSysMount, key, entry);
}

Status DeleteSysRecord(LeaseStore* store, std::string_view key) { return store->DeleteConfig(kSysMount, key); }

}  // namespace dyncreds::server
