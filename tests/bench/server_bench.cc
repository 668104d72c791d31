// server_bench: the HTTP server's cost. Requests per second and p50/p99
// latency for GET sys/health and for creds issuance at 1, 8 and 64
// keep-alive clients, next to Engine::Issue called in-process at the same
// concurrency, on the same in-memory store and the same IAM answering at
// once, in the same run. The server's overhead per request is the
// difference of CPU time per request between the two, the HTTP side
// without the client threads' own time (their libcurl work).
//
// The clients are threads of this process (libcurl), so they share the
// machine's cores with the server: the figures include their cost.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

#include "dyncreds/server.h"
#include "dyncreds/store_key.h"
#include "support/instant_iam_transport.h"
#include "support/vault_http_client.h"

using namespace dyncreds;
using Steady = std::chrono::steady_clock;

namespace {

constexpr auto kRun = std::chrono::milliseconds(1500);
constexpr char kRootConfig[] =
    R"({"access_key":"AKIDEXAMPLE","secret_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","iam_endpoint":"https://iam.example.test"})";
constexpr char kRole[] = R"({"credential_type":"iam_user","policy_arns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]})";

double CpuSeconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Figures {
  double cpu_us = 0;     // the process's CPU time per request (server and clients)
  double server_us = 0;  // the same without the clients' threads' own time
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  long failures = 0;
};

// Runs `op` on `threads` threads for kRun; each thread gets its own state
// from `make` (a connection). Latencies of every call are kept.
template <typename State>
Figures Measure(int threads, const std::function<State()>& make, const std::function<bool(State&)>& op) {
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<long> failures{0};
  std::vector<double> client_cpu(threads, 0.0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Steady::time_point start, until;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      State state = make();
      op(state);  // warm the connection
      ++ready;
      while (!go.load()) std::this_thread::yield();
      const double cpu_start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
      while (Steady::now() < until) {
        const Steady::time_point before = Steady::now();
        if (!op(state)) ++failures;
        latencies[t].push_back(std::chrono::duration<double, std::micro>(Steady::now() - before).count());
      }
      client_cpu[t] = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  const double cpu_before = CpuSeconds();
  start = Steady::now();
  until = start + kRun;
  go = true;
  for (std::thread& t : pool) t.join();
  const double cpu = CpuSeconds() - cpu_before;
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Figures f;
  const double seconds = std::chrono::duration<double>(kRun).count();
  f.per_second = static_cast<double>(all.size()) / seconds;
  if (!all.empty()) {
    f.p50_us = all[all.size() / 2];
    f.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  f.failures = failures.load();
  double clients = 0;
  for (double c : client_cpu) clients += c;
  f.cpu_us = all.empty() ? 0 : cpu * 1e6 / static_cast<double>(all.size());
  f.server_us = all.empty() ? 0 : (cpu - clients) * 1e6 / static_cast<double>(all.size());
  return f;
}

void Print(const char* what, int clients, const Figures& f, bool http = true) {
  char server[32] = "";
  if (http) std::snprintf(server, sizeof server, " (%.1f server side)", f.server_us);
  std::printf("  %-29s %2d clients %7.0f req/s  p50 %7.1f us  p99 %8.1f us  CPU/req %6.1f us%s%s\n", what, clients,
              f.per_second, f.p50_us, f.p99_us, f.cpu_us, server, f.failures ? "  FAILURES" : "");
}

}  // namespace

int main() {
  testing::InstantIamTransport transport;
  ServerOptions o;
  o.host.store = ":memory:";
  o.host.store_key = ParseStoreKey(NewStoreKeyBase64().view(), "bench").value();
  o.host.transport = &transport;
  o.host.worker = false;
  o.api.root_token_id = SecretString("root");
  o.api.default_mounts = {"aws"};
  o.listen_address = "127.0.0.1:0";
  o.threads = 4;
  auto server = Server::Start(std::move(o)).value();
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  {
    testing::VaultHttpClient admin(url, "root");
    if (admin.Call("POST", "aws/config/root", kRootConfig).status != 204 ||
        admin.Call("POST", "aws/roles/deploy", kRole).status != 204) {
      std::fprintf(stderr, "server_bench: configuring the server failed\n");
      return 1;
    }
  }
  Engine& engine = *server->host().OpenMount("aws").value();
  std::printf("server, in-memory store, IAM answering at once, %u hardware threads, server pool of 4:\n",
              std::thread::hardware_concurrency());
  using Client = std::unique_ptr<testing::VaultHttpClient>;
  const std::function<Client()> connect = [&url] { return std::make_unique<testing::VaultHttpClient>(url, "root"); };
  // Each issuance round starts from an empty store, so the two ways see
  // the same store sizes.
  auto clear = [&engine] { (void)engine.RevokePrefix("aws/"); };
  for (int clients : {1, 8, 64}) {
    const Figures health = Measure<Client>(clients, connect, [](Client& c) {
      return c->Call("GET", "sys/health").status == 200;
    });
    clear();
    const Figures direct_issue = Measure<int>(clients, [] { return 0; }, [&engine](int&) {
      return engine.Issue("deploy").ok();
    });
    clear();
    const Figures api_issue = Measure<int>(clients, [] { return 0; }, [&server](int&) {
      VaultRequest r;
      r.method = "POST";
      r.path = "/v1/aws/creds/deploy";
      r.body = "{}";
      r.headers.emplace_back("X-Vault-Token", "root");
      return server->api().Handle(r).status == 200;
    });
    clear();
    const Figures http_issue = Measure<Client>(clients, connect, [](Client& c) {
      return c->Call("POST", "aws/creds/deploy", "{}").status == 200;
    });
    clear();
    Print("GET sys/health", clients, health);
    Print("Engine::Issue (in-process)", clients, direct_issue, false);
    Print("VaultApi::Handle (no HTTP)", clients, api_issue, false);
    Print("POST aws/creds/deploy (HTTP)", clients, http_issue);
    std::printf("  %-29s %2d clients %7.1f us CPU per request (HTTP server side - in-process), %.1f of it the API\n",
                "server overhead", clients, http_issue.server_us - direct_issue.cpu_us,
                api_issue.cpu_us - direct_issue.cpu_us);
  }
  server->Stop();
  return 0;
}
