// lease lookup/list/renew/revoke (one, -prefix, -force).
#include <iostream>

#include "api_client.h"
#include "commands.h"
#include "dyncreds/json.h"
#include "dyncreds/ttl.h"

namespace dyncreds::tool {

int LeaseLookup(Context& c) {
  if (RemoteAddressSet()) return RemoteLease(c, "lookup");
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<Lease> lease = (*opened)->engine().Lookup(c.operands[0]);
  if (!lease.ok()) return Fail(lease.status());
  PrintObject(LeaseToJson(*lease), c.format);
  return kExitOk;
}

int LeaseList(Context& c) {
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<std::vector<Lease>> leases = (*opened)->engine().ListLeases(c.operands.empty() ? "" : c.operands[0]);
  if (!leases.ok()) return Fail(leases.status());
  PrintList(LeasesToJson(*leases), "id", c.format);
  return kExitOk;
}

int LeaseRenew(Context& c) {
  if (RemoteAddressSet()) return RemoteLease(c, "renew");
  std::chrono::seconds increment{0};
  if (!c.Flag("increment").empty()) {
    Result<std::chrono::seconds> parsed = ParseTtl(c.Flag("increment"), "increment");
    if (!parsed.ok()) return Fail(parsed.status());
    increment = *parsed;
  }
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Result<Lease> lease = (*opened)->engine().Renew(c.operands[0], increment);
  if (!lease.ok()) return Fail(lease.status());
  PrintObject(LeaseToJson(*lease), c.format);
  return kExitOk;
}

// lease revoke ID | -prefix PREFIX | -force PREFIX: the last two may cover
// thousands of leases, so they show progress on a terminal.
int LeaseRevoke(Context& c) {
  if (RemoteAddressSet()) return RemoteLease(c, "revoke");
  const bool prefix = c.Switch("prefix");
  const bool force = c.Switch("force");
  Result<std::unique_ptr<Host>> opened = OpenEngine(c.store);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = (*opened)->engine();
  const std::string& target = c.operands[0];
  if (!prefix && !force) {
    Status s = engine.Revoke(target);
    if (!s.ok()) return Fail(s);
    PrintSuccess("Revoked lease: " + target, c.format);
    return kExitOk;
  }
  Progress progress(force ? "force-revoking" : "revoking");
  auto show = [&progress](std::size_t done, std::size_t found) { progress.Update(done, found); };
  if (force) {
    Result<ForceRevokeReport> report = engine.ForceRevoke(target, show);
    progress.Finish();
    if (!report.ok()) return Fail(report.status());
    if (c.format == Format::kJson) {
      PrintObject(ForceRevokeReportToJson(*report), c.format);
    } else {
      PrintSuccess("Force-revoked " + std::to_string(report->revoked.size() + report->dropped.size()) +
                       " leases under " + target + ": " + std::to_string(report->revoked.size()) + " cleaned up in AWS, " +
                       std::to_string(report->dropped.size()) + " dropped although AWS cleanup failed",
                   c.format);
      for (const auto& [id, why] : report->dropped) std::cout << "  dropped " << id << ": " << why << "\n";
    }
    return kExitOk;
  }
  Result<std::size_t> revoked = engine.RevokePrefix(target, show);
  progress.Finish();
  if (!revoked.ok()) return Fail(revoked.status());
  if (c.format == Format::kJson) {
    PrintObject(R"({"revoked":)" + std::to_string(*revoked) + "}", c.format);
  } else {
    PrintSuccess("Revoked " + std::to_string(*revoked) + " leases under prefix: " + target, c.format);
  }
  return kExitOk;
}

}  // namespace dyncreds::tool
