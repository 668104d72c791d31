// lease_id.h: how lease ids are made: "<mount>/creds/<role>/<suffix>", the
// suffix 48 bits of Unix milliseconds then 80 random bits, as 32 hex digits:
// unguessable, yet in time order, so a store's index on lease ids grows at
// its end (random keys make SQLite inserts several times slower).
//
// Thread safety: pure functions.
#ifndef DYNCREDS_SRC_CORE_LEASE_ID_H_
#define DYNCREDS_SRC_CORE_LEASE_ID_H_

#include <chrono>
#include <string>

namespace dyncreds::core {

std::string NewLeaseSuffix(std::chrono::system_clock::time_point now);

std::string NewLeaseId(const std::string& mount, const std::string& role,
                       std::chrono::system_clock::time_point now);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_LEASE_ID_H_
