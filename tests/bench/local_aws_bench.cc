// local_aws_bench: how many signed requests per second the local IAM/STS
// endpoint (tests/local_aws) answers over keep-alive, so that benchmarks run
// against it measure the library, not the endpoint. The client is our own
// Query client (SigV4 + libcurl); the endpoint verifies every signature
// with botocore.
//
//   tests/local_aws/ctl.py start --dir DIR
//   DYNCREDS_LOCAL_AWS=DIR/endpoint.json local_aws_bench [seconds-per-figure]
//   tests/local_aws/ctl.py stop --dir DIR
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "aws/iam_sts_api.h"
#include "aws/query_client.h"
#include "support/local_aws.h"
#include "dyncreds/curl_transport.h"

using namespace dyncreds;
using namespace dyncreds::aws;

namespace {

struct Figure {
  long requests = 0;
  long failures = 0;
  double seconds = 0;
};

// Runs `threads` callers for `seconds`; each call of `one(thread, i)` is one
// or more requests and returns how many it made (negative: it failed).
template <typename Fn>
Figure Measure(int threads, double seconds, Fn one) {
  std::atomic<long> requests{0}, failures{0};
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (long i = 0; std::chrono::steady_clock::now() < end; ++i) {
        int made = one(t, i);
        if (made < 0) {
          failures.fetch_add(1);
        } else {
          requests.fetch_add(made);
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  Figure f;
  f.requests = requests.load();
  f.failures = failures.load();
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return f;
}

void Report(const char* what, const Figure& f) {
  std::printf("%-62s %8.0f req/s  %7.0f us/req  (%ld requests, %ld failed)\n", what,
              f.requests / f.seconds, 1e6 * f.seconds / f.requests, f.requests, f.failures);
}

}  // namespace

int main(int argc, char** argv) try {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  testing::LocalAws aws = testing::LocalAws::FromEnvironment();
  aws.Reset();
  std::unique_ptr<HttpTransport> transport = NewCurlTransport();
  std::unique_ptr<QueryClient> sts = aws.NewClient("sts", transport.get());
  std::unique_ptr<QueryClient> iam = aws.NewClient("iam", transport.get());
  const AwsCredentials admin = aws.AdminCredentials();
  const QueryRequest who("GetCallerIdentity", kStsApiVersion);

  std::printf("local IAM/STS endpoint, keep-alive, every request SigV4-verified by botocore:\n");
  for (int threads : {1, 4}) {
    Figure f = Measure(threads, seconds, [&](int, long) { return sts->Call(who, admin).ok() ? 1 : -1; });
    const std::string what = "GetCallerIdentity, " + std::to_string(threads) + " client thread(s)";
    Report(what.c_str(), f);
  }
  Figure cycle = Measure(1, seconds, [&](int t, long i) {
    const std::string name = "bench-" + std::to_string(t) + "-" + std::to_string(i);
    QueryRequest create("CreateUser", kIamApiVersion);
    create.Add("UserName", name);
    QueryRequest remove("DeleteUser", kIamApiVersion);
    remove.Add("UserName", name);
    return iam->Call(create, admin).ok() && iam->Call(remove, admin).ok() ? 2 : -1;
  });
  Report("CreateUser + DeleteUser (stateful), 1 client thread", cycle);
  std::printf("connections accepted: %d\n", aws.Connections());
  aws.Reset();
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "local_aws_bench: %s\n", e.what());
  return 1;
}
