// bench_util.h: timing helpers for the benchmark programs.
#ifndef DYNCREDS_TESTS_BENCH_BENCH_UTIL_H_
#define DYNCREDS_TESTS_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace dyncreds::bench {

// Keeps the compiler from discarding a computed value.
template <typename T>
inline void DoNotOptimize(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// Runs `batch(iterations)` `rounds` times and returns the best time per
// iteration in nanoseconds (the minimum is the least disturbed run).
template <typename Fn>
double BestNsPerOp(int rounds, long iterations, Fn batch) {
  double best = 1e300;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    batch(iterations);
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
    best = std::min(best, ns.count() / static_cast<double>(iterations));
  }
  return best;
}

inline void Report(const char* what, double ns_per_op) {
  std::printf("%-58s %9.1f ns/op  %12.0f ops/s\n", what, ns_per_op, 1e9 / ns_per_op);
}

}  // namespace dyncreds::bench

#endif  // DYNCREDS_TESTS_BENCH_BENCH_UTIL_H_
