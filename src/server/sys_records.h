// sys_records.h: where the server keeps its own state in the lease store:
// config entries of the reserved mount "sys" (no AWS engine can be mounted
// there, as in Vault), one JSON document per key.
//
// Thread safety: as the LeaseStore's.
#ifndef DYNCREDS_SRC_SERVER_SYS_RECORDS_H_
#define DYNCREDS_SRC_SERVER_SYS_RECORDS_H_

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "dyncreds/status.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::server {

constexpr char kSysMount[] = "sys";

// The document at `key`; kNotFound if there is none.
Result<rapidjson::Document> ReadSysRecord(LeaseStore* store, std::string_view key);
Status WriteSysRecord(LeaseStore* store, std::string_view key, const rapidjson::Value& doc);
Status DeleteSysRecord(LeaseStore* store, std::string_view key);

}  // namespace dyncreds::server

#endif  // DYNCREDS_SRC_SERVER_SYS_RECORDS_H_
