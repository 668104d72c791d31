#include <algorithm>
#include <cstdio>

#include "core/metrics_recorder.h"
#include "dyncreds/metrics.h"

namespace dyncreds {

const std::vector<double>& Histogram::Bounds() {
  static const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                             5,     10,   30,    60,   120, 300,  600, 1800, 3600};
  return bounds;
}

void Histogram::Observe(double seconds) {
  const auto& bounds = Bounds();
  const auto at = std::lower_bound(bounds.begin(), bounds.end(), seconds);
  if (at == bounds.end()) {
    ++over;
  } else {
    ++counts[static_cast<std::size_t>(at - bounds.begin())];
  }
  ++count;
  sum += seconds;
}

namespace {

// Prometheus label values: backslash, double quote and newline escaped.
std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

// Each family once, with the samples of every mount under it (Prometheus
// refuses a family written twice).
class Exposition {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }

  // name{mount="..",labels} value
  void Sample(const std::string& mount, const std::string& name, const std::string& labels, double value) {
    out_ += name + "{mount=\"" + Escape(mount) + "\"" + (labels.empty() ? "" : "," + labels) + "} " + Number(value) + "\n";
  }

  void HistogramSamples(const std::string& mount, const std::string& name, const std::string& labels,
                        const Histogram& h) {
    const std::string sep = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      Sample(mount, name + "_bucket", sep + "le=\"" + Number(Histogram::Bounds()[i]) + "\"",
             static_cast<double>(cumulative));
    }
    Sample(mount, name + "_bucket", sep + "le=\"+Inf\"", static_cast<double>(h.count));
    Sample(mount, name + "_sum", labels, h.sum);
    Sample(mount, name + "_count", labels, static_cast<double>(h.count));
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(const char* key, const std::string& value) { return std::string(key) + "=\"" + Escape(value) + "\""; }

using CountsOf = const std::map<std::string, std::uint64_t>& (*)(const MetricsSnapshot&);

void ByAction(Exposition& e, const std::vector<MetricsSnapshot>& all, const char* name, const char* help, CountsOf counts) {
  e.Family(name, "counter", help);
  for (const MetricsSnapshot& m : all) {
    for (const auto& [action, n] : counts(m)) e.Sample(m.mount, name, Label("action", action), static_cast<double>(n));
  }
}

}  // namespace

std::string PrometheusText(const MetricsSnapshot& m) { return PrometheusText(std::vector<MetricsSnapshot>{m}); }

std::string PrometheusText(const std::vector<MetricsSnapshot>& all) {
  Exposition e;
  e.Family("dyncreds_operations_total", "counter", "Issue, renew and revoke operations by credential type and outcome.");
  for (const MetricsSnapshot& m : all) {
    for (const auto& [key, n] : m.operations) {
      const auto& [operation, type, outcome] = key;
      e.Sample(m.mount, "dyncreds_operations_total",
               Label("operation", operation) + "," + Label("credential_type", type) + "," + Label("outcome", outcome),
               static_cast<double>(n));
    }
  }
  e.Family("dyncreds_operation_duration_seconds", "histogram", "How long issue, renew and revoke took.");
  for (const MetricsSnapshot& m : all) {
    for (const auto& [key, h] : m.latency) {
      e.HistogramSamples(m.mount, "dyncreds_operation_duration_seconds",
                         Label("operation", key.first) + "," + Label("credential_type", key.second), h);
    }
  }
  ByAction(e, all, "dyncreds_aws_calls_total", "AWS API calls, by service:Action.",
           [](const MetricsSnapshot& m) -> const std::map<std::string, std::uint64_t>& { return m.aws_calls; });
  ByAction(e, all, "dyncreds_aws_errors_total", "AWS API calls that failed after every retry.",
           [](const MetricsSnapshot& m) -> const std::map<std::string, std::uint64_t>& { return m.aws_errors; });
  ByAction(e, all, "dyncreds_aws_retries_total", "Retried attempts of AWS API calls.",
           [](const MetricsSnapshot& m) -> const std::map<std::string, std::uint64_t>& { return m.aws_retries; });
  ByAction(e, all, "dyncreds_aws_throttles_total", "Attempts AWS answered with throttling.",
           [](const MetricsSnapshot& m) -> const std::map<std::string, std::uint64_t>& { return m.aws_throttles; });
  e.Family("dyncreds_revocation_lag_seconds", "histogram", "From a lease's expiry to its completed revocation.");
  for (const MetricsSnapshot& m : all) e.HistogramSamples(m.mount, "dyncreds_revocation_lag_seconds", "", m.revocation_lag);
  e.Family("dyncreds_leases", "gauge", "Leases in the store, by role and state.");
  for (const MetricsSnapshot& m : all) {
    for (const auto& [role, n] : m.active_leases) {
      e.Sample(m.mount, "dyncreds_leases", Label("role", role) + ",state=\"active\"", static_cast<double>(n));
    }
    e.Sample(m.mount, "dyncreds_leases", "state=\"irrevocable\"", static_cast<double>(m.irrevocable_leases));
  }
  e.Family("dyncreds_pending_issuances", "gauge", "Issuances in flight or awaiting rollback.");
  for (const MetricsSnapshot& m : all) {
    e.Sample(m.mount, "dyncreds_pending_issuances", "", static_cast<double>(m.pending_issuances));
  }
  return e.Take();
}

namespace core {

void MetricsRecorder::Operation(const char* operation, const std::string& credential_type, bool ok,
                                std::chrono::steady_clock::duration took) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.operations[{operation, credential_type, ok ? "success" : "failure"}];
  counters_.latency[{operation, credential_type}].Observe(std::chrono::duration<double>(took).count());
}

void MetricsRecorder::AwsCall(const AwsCallRecord& call) {
  const std::string action = call.service + ":" + call.action;
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.aws_calls[action];
  if (!call.status.ok()) ++counters_.aws_errors[action];
  if (call.attempts > 1) counters_.aws_retries[action] += static_cast<std::uint64_t>(call.attempts - 1);
  if (call.throttles > 0) counters_.aws_throttles[action] += static_cast<std::uint64_t>(call.throttles);
}

void MetricsRecorder::RevocationLag(std::chrono::system_clock::duration lag) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_.revocation_lag.Observe(std::max(0.0, std::chrono::duration<double>(lag).count()));
}

MetricsSnapshot MetricsRecorder::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

Status AddLeaseFigures(LeaseStore& store, const std::string& mount, MetricsSnapshot* m) {
  Result<std::vector<Lease>> irrevocable = store.IrrevocableLeases(mount, mount + "/");
  Result<std::vector<Intent>> intents = store.ListIntents(mount, TimePoint::max());
  Result<std::vector<std::string>> roles = store.ListRoles(mount);
  for (Status s : {irrevocable.status(), intents.status(), roles.status()}) {
    if (!s.ok()) return s;
  }
  m->mount = mount;
  m->irrevocable_leases = irrevocable->size();
  m->pending_issuances = intents->size();
  for (const std::string& role : *roles) {
    Result<std::size_t> all = store.CountLeases(mount, role);
    if (!all.ok()) return all.status();
    const auto stuck = std::count_if(irrevocable->begin(), irrevocable->end(),
                                     [&role](const Lease& l) { return l.role == role; });
    m->active_leases[role] = *all - static_cast<std::size_t>(stuck);
  }
  return Status();
}

}  // namespace core
}  // namespace dyncreds
