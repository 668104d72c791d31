// metrics.h: what an Engine has done, as numbers: operations and their
// latency per credential type, AWS calls, retries and throttles per action,
// leases by role and state, and revocation lag (from a lease's expiry to its
// completed revocation). Engine::Metrics() returns a snapshot;
// PrometheusText() renders it in Prometheus' text exposition format.
//
// Counters count since the engine opened; lease figures are read from the
// store when the snapshot is taken.
//
// Thread safety: snapshots are values; PrometheusText is a pure function.
#ifndef DYNCREDS_METRICS_H_
#define DYNCREDS_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dyncreds/export.h"
#include "dyncreds/status.h"

namespace dyncreds {

// One AWS Query API call as the client finished it, retries included.
struct AwsCallRecord {
  std::string service;  // "iam" or "sts"
  std::string action;   // "CreateUser"
  int attempts = 0;     // 1 + retries
  int throttles = 0;    // attempts AWS answered with throttling
  Status status;        // the final outcome
};
using AwsCallObserver = std::function<void(const AwsCallRecord&)>;

// Latency buckets, Prometheus style: counts[i] observations <= bounds()[i]
// (not cumulative here), the rest in `over`.
struct Histogram {
  DYNCREDS_EXPORT static const std::vector<double>& Bounds();  // seconds: 0.005 ... 3600
  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(Bounds().size(), 0);
  std::uint64_t over = 0;
  std::uint64_t count = 0;
  double sum = 0;
  DYNCREDS_EXPORT void Observe(double seconds);
};

struct MetricsSnapshot {
  std::string mount;
  // (operation "issue" | "renew" | "revoke", credential_type, outcome "success" | "failure")
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> operations;
  std::map<std::pair<std::string, std::string>, Histogram> latency;  // (operation, credential_type)
  // By "service:Action", e.g. "iam:CreateUser".
  std::map<std::string, std::uint64_t> aws_calls;
  std::map<std::string, std::uint64_t> aws_errors;
  std::map<std::string, std::uint64_t> aws_retries;
  std::map<std::string, std::uint64_t> aws_throttles;
  Histogram revocation_lag;  // expiry to completed revocation, automatic revocations
  std::map<std::string, std::uint64_t> active_leases;  // by role
  std::uint64_t irrevocable_leases = 0;
  std::uint64_t pending_issuances = 0;  // intents: issuances in flight or awaiting rollback
};

// The Prometheus text exposition format (version 0.0.4), metrics named
// dyncreds_*, each with # HELP and # TYPE.
DYNCREDS_EXPORT std::string PrometheusText(const MetricsSnapshot& snapshot);
// Several mounts in one exposition: each family once, a sample per mount.
DYNCREDS_EXPORT std::string PrometheusText(const std::vector<MetricsSnapshot>& snapshots);

}  // namespace dyncreds

#endif  // DYNCREDS_METRICS_H_
