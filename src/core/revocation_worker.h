// revocation_worker.h: the thread that runs an engine's Tick on a schedule.
//
// The schedule follows the engine's Clock: rounds start an interval apart
// by Clock::Monotonic(), and a clock other than the system one is
// read again at least every kClockRecheck of real time, so a host's or a
// test's clock that runs on its own is followed instead of the wall.
#ifndef DYNCREDS_SRC_CORE_REVOCATION_WORKER_H_
#define DYNCREDS_SRC_CORE_REVOCATION_WORKER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "dyncreds/sys/clock.h"

namespace dyncreds::core {

class RevocationWorker {
 public:
  static constexpr std::chrono::milliseconds kClockRecheck{250};

  // `tick` does one round and returns true when work is left (a backlog):
  // the next round then starts at once instead of after `interval`.
  RevocationWorker(Clock* clock, std::chrono::nanoseconds interval, std::function<bool()> tick);
  // Stops and joins.
  ~RevocationWorker();
  RevocationWorker(const RevocationWorker&) = delete;
  RevocationWorker& operator=(const RevocationWorker&) = delete;

  // Finishes the round in progress, if any, and joins. Idempotent.
  void Stop();

 private:
  void Run();
  // Waits until the clock's Monotonic() reaches `until`; returns early when
  // stopping.
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::chrono::steady_clock::time_point until);

  Clock* const clock_;
  const std::chrono::nanoseconds interval_;
  const std::function<bool()> tick_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // last: it starts once everything above exists
};

}  // namespace dyncreds::core

#endif  // DYNCREDS_SRC_CORE_REVOCATION_WORKER_H_
