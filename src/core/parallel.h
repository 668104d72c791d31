// parallel.h: runs a function over items on at most `parallelism` threads
// (the caller's among them), for revocations that fan out over a page of
// leases.
//
// Thread safety: `fn` is called from several threads at once; the mutex it
// is given is shared by all calls of one run, for what they must do in turn.
#ifndef DYNCREDS_SRC_CORE_PARALLEL_H_
#define DYNCREDS_SRC_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace dyncreds::core {

template <typename T, typename Fn>
void RunParallel(const std::vector<T>& items, int parallelism, Fn fn) {
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < items.size();) fn(items[i], mu);
  };
  const std::size_t threads = std::min<std::size_t>(items.size(), static_cast<std::size_t>(std::max(1, parallelism)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_PARALLEL_H_
