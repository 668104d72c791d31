// crash_helper: an application process for the crash tests to kill. It
// opens a lease store (its key from DYNCREDS_STORE_KEY) and an engine on
// it, runs one operation, and prints a line as each step completes:
//
//   crash_helper STORE issue ROLE COUNT TTL_SECONDS   "lease <id>" per lease
//   crash_helper STORE revoke LEASE_ID                "revoked"
//   crash_helper STORE revoke-prefix PREFIX           "revoked <n>"
//   crash_helper STORE force PREFIX                   "forced <n>"
//   crash_helper STORE tidy-delete                    "deleted <n>" (tidy -delete-orphans)
//   crash_helper STORE rotate-root                    "rotated <key id>"
//
// Exit 0 on success; 1 with the error on stderr.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dyncreds/engine.h"
#include "dyncreds/sqlite_lease_store.h"

using namespace dyncreds;

namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "crash_helper: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: crash_helper STORE issue ROLE COUNT TTL | revoke LEASE | revoke-prefix P | force P | rotate-root\n");
    return 2;
  }
  SqliteStoreOptions store_options;
  store_options.path = argv[1];
  Result<std::unique_ptr<LeaseStore>> store = OpenSqliteLeaseStore(std::move(store_options));
  if (!store.ok()) return Fail(store.status());
  EngineOptions options;
  options.store = store->get();
  options.revocation.background_worker = false;
  Result<std::unique_ptr<Engine>> engine = Engine::Open(std::move(options));
  if (!engine.ok()) return Fail(engine.status());

  const std::string op = argv[2];
  if (op == "issue" && argc == 6) {
    IssueOptions issue;
    issue.ttl = std::chrono::seconds(std::atoi(argv[5]));
    issue.wait_until_usable = true;
    for (int i = 0; i < std::atoi(argv[4]); ++i) {
      Result<IssuedCredential> c = (*engine)->Issue(argv[3], issue);
      if (!c.ok()) return Fail(c.status());
      std::printf("lease %s\n", c->lease_id.c_str());
      std::fflush(stdout);
    }
    return 0;
  }
  if (op == "revoke" && argc == 4) {
    Status s = (*engine)->Revoke(argv[3]);
    if (!s.ok()) return Fail(s);
    std::printf("revoked\n");
    return 0;
  }
  if (op == "revoke-prefix" && argc == 4) {
    Result<std::size_t> n = (*engine)->RevokePrefix(argv[3], nullptr);
    if (!n.ok()) return Fail(n.status());
    std::printf("revoked %zu\n", *n);
    return 0;
  }
  if (op == "force" && argc == 4) {
    Result<ForceRevokeReport> report = (*engine)->ForceRevoke(argv[3], nullptr);
    if (!report.ok()) return Fail(report.status());
    std::printf("forced %zu\n", report->revoked.size());
    return 0;
  }
  if (op == "tidy-delete" && argc == 3) {
    TidyOptions tidy;
    tidy.delete_orphans = true;
    Result<TidyReport> report = (*engine)->Tidy(tidy);
    if (!report.ok()) return Fail(report.status());
    std::printf("deleted %zu\n", report->deleted.size());
    return 0;
  }
  if (op == "rotate-root" && argc == 3) {
    Result<std::string> key = (*engine)->RotateRoot();
    if (!key.ok()) return Fail(key.status());
    std::printf("rotated %s\n", key->c_str());
    return 0;
  }
  std::fprintf(stderr, "crash_helper: bad arguments\n");
  return 2;
}
