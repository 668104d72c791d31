// metrics_recorder.h: the engine's counters, updated as it works and copied
// out as a MetricsSnapshot.
#ifndef DYNCREDS_SRC_CORE_METRICS_RECORDER_H_
#define DYNCREDS_SRC_CORE_METRICS_RECORDER_H_

#include <chrono>
#include <mutex>
#include <string>

#include "dyncreds/metrics.h"
#include "dyncreds/sys/lease_store.h"

namespace dyncreds::core {

class MetricsRecorder {
 public:
  // An issue, renew or revoke, its credential type, outcome and duration.
  void Operation(const char* operation, const std::string& credential_type, bool ok,
                 std::chrono::steady_clock::duration took);
  void AwsCall(const AwsCallRecord& call);
  void RevocationLag(std::chrono::system_clock::duration lag);
  // The counters so far (lease figures are the caller's to fill in).
  MetricsSnapshot Snapshot() const;

 private:
  mutable std::mutex mu_;
  MetricsSnapshot counters_;
};

// Fills in the figures the store holds for `mount`: active leases by role,
// irrevocable leases and pending issuances.
Status AddLeaseFigures(LeaseStore& store, const std::string& mount, MetricsSnapshot* snapshot);

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_METRICS_RECORDER_H_
