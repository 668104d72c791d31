// tidy, and run: the foreground daemon that revokes leases when they
// expire, rolls back dead issuances and tidies, until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <mutex>

#include "commands.h"
#include "dyncreds/json.h"
#include "dyncreds/metrics.h"
#include "dyncreds/ttl.h"

namespace dyncreds::tool {
namespace {

TidyOptions TidyFlags(const Context& c) {
  TidyOptions o;
  if (!c.Flag("path-prefix").empty()) o.path_prefix = c.Flag("path-prefix");
  o.delete_orphans = c.Switch("delete-orphans");
  return o;
}

std::string Summary(const TidyReport& r) {
  return std::to_string(r.rolled_back.size()) + " dead issuances rolled back, " + std::to_string(r.settling.size()) +
         " waiting for a late CreateUser, " + std::to_string(r.orphans.size()) +
         " orphaned IAM users found, " + std::to_string(r.deleted.size()) + " deleted, " +
         std::to_string(r.failed.size()) + " failures, " + std::to_string(r.irrevocable.size()) +
         " irrevocable leases";
}

Result<std::chrono::seconds> Duration(const Context& c, const char* flag, std::chrono::seconds fallback) {
  if (c.Flag(flag).empty()) return fallback;
  Result<std::chrono::seconds> d = ParseTtl(c.Flag(flag), flag);
  if (d.ok() && d->count() <= 0) return Status::InvalidArgument(flag, "must be positive");
  return d;
}

}  // namespace

int Tidy(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  TidyOptions options = TidyFlags(c);
  Progress progress("examining IAM users");
  options.progress = [&progress](std::size_t done, std::size_t found) { progress.Update(done, found); };
  Result<TidyReport> report = (*opened)->engine().Tidy(options);
  progress.Finish();
  if (!report.ok()) return Fail(report.status());
  if (c.format == Format::kJson) {
    PrintObject(TidyReportToJson(*report), c.format);
    return kExitOk;
  }
  PrintSuccess("Tidy: " + Summary(*report), c.format);
  for (const std::string& user : report->orphans) std::printf("  orphan %s\n", user.c_str());
  for (const auto& [name, why] : report->failed) std::printf("  failed %s: %s\n", name.c_str(), why.c_str());
  for (const Lease& lease : report->irrevocable) std::printf("  irrevocable %s: %s\n", lease.id.c_str(), lease.last_error.c_str());
  return kExitOk;
}

int Metrics(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<MetricsSnapshot> m = (*opened)->engine().Metrics();
  if (!m.ok()) return Fail(m.status());
  std::fputs(PrometheusText(*m).c_str(), stdout);
  return kExitOk;
}

int AuditHmac(Context& c) {
  bool stdin_used = false;
  Result<SecretString> value = ReadFieldValue("value", c.operands[0], &stdin_used);  // @file and - as for fields
  if (!value.ok()) return Fail(value.status());
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<std::string> hmac = (*opened)->engine().AuditHmac(value->view());
  if (!hmac.ok()) return Fail(hmac.status());
  PrintObject(R"({"hmac":")" + *hmac + "\"}", c.format);
  return kExitOk;
}

sigset_t BlockServiceSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int Run(Context& c) {
  Result<std::chrono::seconds> poll = Duration(c, "poll-interval", std::chrono::seconds(1));
  Result<std::chrono::seconds> tidy_every = Duration(c, "tidy-interval", std::chrono::seconds(3600));
  if (!poll.ok()) return Fail(poll.status());
  if (!tidy_every.ok()) return Fail(tidy_every.status());
  // Blocked before the engine starts its threads, so they inherit the mask
  // and the signals wait for sigtimedwait below.
  sigset_t stop = BlockServiceSignals();

  EngineSettings settings;
  settings.worker = true;
  settings.poll_interval = *poll;
  settings.log = LogLine;
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store, settings);
  if (!opened.ok()) return Fail(opened.status());
  // One worker per mount in the store, each revoking its own leases with its
  // own mount's configuration.
  Result<std::vector<std::string>> mounts = (*opened)->ListMounts();
  if (!mounts.ok()) return Fail(mounts.status());
  std::vector<std::pair<std::string, Engine*>> engines{{c.store.mount, &(*opened)->engine()}};
  std::string served = c.store.mount;
  for (const std::string& mount : *mounts) {
    if (mount == c.store.mount) continue;
    Result<Engine*> other = (*opened)->OpenMount(mount);
    if (!other.ok()) return Fail(other.status().WithContext("mount " + mount));
    engines.emplace_back(mount, *other);
    served += ", " + mount;
  }
  LogLine(LogLevel::kInfo, "running for mounts " + served + ": revoking leases as they expire, tidying every " +
                               FormatTtl(*tidy_every) + "; SIGINT or SIGTERM stops, SIGHUP reopens the audit file");
  for (;;) {
    timespec wait{static_cast<time_t>(tidy_every->count()), 0};
    const int signal = sigtimedwait(&stop, nullptr, &wait);
    if (signal == SIGINT || signal == SIGTERM) {
      LogLine(LogLevel::kInfo, std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
      break;
    }
    if (signal == SIGHUP) {  // log rotation: open the audit file again
      if (!c.store.audit_file.empty()) {
        Status s = (*opened)->ReopenAuditFile();
        LogLine(s.ok() ? LogLevel::kInfo : LogLevel::kError,
                s.ok() ? "audit file reopened" : "reopening the audit file: " + s.ToString());
      }
      continue;
    }
    for (const auto& [mount, engine] : engines) {
      Result<TidyReport> report = engine->Tidy(TidyFlags(c));
      LogLine(report.ok() ? LogLevel::kInfo : LogLevel::kWarning,
              report.ok() ? "tidy of mount " + mount + ": " + Summary(*report)
                          : "tidy of mount " + mount + " failed: " + report.status().ToString());
    }
  }
  opened->reset();  // stops the worker: leases in flight finish or stay for next time
  LogLine(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace dyncreds::tool
