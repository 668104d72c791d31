// engine_bench: the library's own CPU cost per IAM call, per iam_user
// issuance and per revocation, against an in-process transport that answers
// at once with canned IAM replies (so only our code is measured: form
// encoding, SigV4, the HTTP request/response objects, XML parsing, the
// engine, the lease store). With DYNCREDS_LOCAL_AWS set it also measures
// issuance throughput against the local endpoint with 8 concurrent callers.
//
//   build/release/tests/bench/engine_bench
//   DYNCREDS_LOCAL_AWS=DIR/endpoint.json build/release/tests/bench/engine_bench
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "dyncreds/audit_file.h"
#include "dyncreds/engine.h"
#include "dyncreds/curl_transport.h"
#include "support/instant_iam_transport.h"
#include "support/local_aws.h"

using namespace dyncreds;

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Best of `rounds` runs of n iterations: CPU microseconds per iteration.
template <typename Fn>
double CpuMicros(int rounds, int n, Fn fn) {
  double best = 1e300;
  for (int r = 0; r < rounds; ++r) {
    const double start = CpuSeconds();
    for (int i = 0; i < n; ++i) fn(i);
    best = std::min(best, (CpuSeconds() - start) * 1e6 / n);
  }
  return best;
}

std::unique_ptr<Engine> NewEngine(HttpTransport* transport, const std::string& endpoint, const AwsCredentials& root) {
  EngineOptions o;
  o.transport = transport;
  o.revocation.background_worker = false;
  auto engine = Engine::Open(std::move(o)).value();
  const std::string root_json = R"({"access_key":")" + root.access_key_id() + R"(","secret_key":")" +
                                std::string(root.secret_access_key().view()) + R"(","iam_endpoint":")" + endpoint +
                                R"(","sts_endpoint":")" + endpoint + R"("})";
  if (!engine->WriteRootConfig(root_json).ok() ||
      !engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess",
          "policy_document":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}})").ok()) {
    std::fprintf(stderr, "engine_bench: configuring the engine failed\n");
    std::exit(1);
  }
  return engine;
}

void InProcess() {
  testing::InstantIamTransport transport;
  const AwsCredentials root("AKIDEXAMPLE", SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  aws::QueryClientOptions o;
  o.service = "iam";
  o.api_version = aws::kIamApiVersion;
  o.endpoint = {"https://iam.amazonaws.com", "us-east-1", "aws"};
  o.transport = &transport;
  aws::QueryClient client(std::move(o));
  const double per_call = CpuMicros(5, 20000, [&](int) {
    aws::QueryRequest r("CreateUser", aws::kIamApiVersion);
    r.Add("UserName", "vault-token-deploy-1763700000-abcdefghij0123456789");
    r.AddTags("Tags", {{"dyncreds-lease", "aws/creds/deploy/0123456789abcdef0123456789abcdef"}, {"dyncreds-mount", "aws"}});
    Result<aws::QueryReply> reply = client.Call(r, root);
    if (!reply.ok() || !aws::ParseUser(*reply).ok()) std::abort();
  });

  auto engine = NewEngine(&transport, "https://iam.amazonaws.com", root);
  std::vector<std::string> leases;
  // Each issuance: CreateUser, AttachUserPolicy, PutUserPolicy, CreateAccessKey (4 calls).
  const double per_issue = CpuMicros(3, 3000, [&](int) {
    Result<IssuedCredential> c = engine->Issue("deploy");
    if (!c.ok()) std::abort();
    leases.push_back(c->lease_id);
  });
  // Each revocation: 8 list calls, DeleteAccessKey, DetachUserPolicy,
  // DeleteUserPolicy, DeleteLoginProfile, DeleteUser (13 calls).
  std::size_t next = 0;
  const double per_revoke = CpuMicros(3, 3000, [&](int) {
    if (!engine->Revoke(leases[next++]).ok()) std::abort();
  });
  std::printf("library CPU, in-process transport answering at once (best of runs):\n");
  std::printf("  %-52s %8.2f us\n", "per IAM call (CreateUser: build, sign, parse)", per_call);
  std::printf("  %-52s %8.2f us  (%.2f us per call, 4 calls)\n", "per iam_user issuance", per_issue, per_issue / 4);
  std::printf("  %-52s %8.2f us  (%.2f us per call, 13 calls)\n", "per iam_user revocation", per_revoke, per_revoke / 13);
}

void AgainstLocalEndpoint() {
  testing::LocalAws aws = testing::LocalAws::FromEnvironment();
  aws.Reset();
  auto transport = NewCurlTransport();
  auto engine = NewEngine(transport.get(), aws.url(), aws.AdminCredentials());
  std::atomic<int> issued{0}, failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) (engine->Issue("deploy").ok() ? issued : failed)++;
    });
  }
  for (auto& c : callers) c.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("iam_user issuance against the local endpoint, 8 callers: %.0f issuances/s (%d issued, %d failed)\n",
              issued / seconds, issued.load(), failed.load());
  const auto revoke_start = std::chrono::steady_clock::now();
  Result<std::size_t> revoked = engine->RevokePrefix("aws/creds/deploy/");
  const double revoke_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - revoke_start).count();
  std::printf("revoke-prefix of those leases (4 at once): %.0f revocations/s\n",
              revoked.ok() ? static_cast<double>(*revoked) / revoke_seconds : 0.0);
  aws.Reset();
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// What the audit trail costs an issuance: none, an AuditFile left to the
// kernel, and one synced after every line (the default).
void AuditCost() {
  testing::InstantIamTransport transport;
  const AwsCredentials root("AKIDEXAMPLE", SecretString("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
  char dir[] = "/tmp/dyncreds-audit-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  const std::string path = std::string(dir) + "/audit.log";
  std::printf("audit cost per iam_user issuance + revocation (in-process transport, wall time, 2000 each):\n");
  for (int mode = 0; mode < 3; ++mode) {
    std::unique_ptr<AuditFile> log;
    if (mode > 0) log = AuditFile::Open({path, mode == 1 ? AuditFsync::kNever : AuditFsync::kEvery}).value();
    EngineOptions o;
    o.transport = &transport;
    o.revocation.background_worker = false;
    if (log) o.audit = log->Function();
    auto engine = Engine::Open(std::move(o)).value();
    const std::string root_json = R"({"access_key":"AKIDEXAMPLE","secret_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",)"
                                  R"("iam_endpoint":"https://iam.amazonaws.com","sts_endpoint":"https://sts.amazonaws.com"})";
    if (!engine->WriteRootConfig(root_json).ok() ||
        !engine->WriteRole("deploy", R"({"credential_type":"iam_user","policy_arns":"arn:aws:iam::aws:policy/ReadOnlyAccess"})").ok()) {
      std::abort();
    }
    const double start = WallSeconds();
    for (int i = 0; i < 2000; ++i) {
      Result<IssuedCredential> c = engine->Issue("deploy");
      if (!c.ok() || !engine->Revoke(c->lease_id).ok()) std::abort();
    }
    const double per = (WallSeconds() - start) * 1e6 / 2000;
    std::printf("  %-44s %8.1f us\n", mode == 0 ? "no audit" : mode == 1 ? "AuditFile, no fsync" : "AuditFile, fdatasync per line (default)",
                per);
  }
  std::remove(path.c_str());
  rmdir(dir);
}

}  // namespace

int main() {
  InProcess();
  AuditCost();
  if (std::getenv("DYNCREDS_LOCAL_AWS") != nullptr) AgainstLocalEndpoint();
  return 0;
}
