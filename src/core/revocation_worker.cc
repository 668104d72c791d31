#include "core/revocation_worker.h"

#include <algorithm>

namespace dyncreds::core {

RevocationWorker::RevocationWorker(Clock* clock, std::chrono::nanoseconds interval,
                                   std::function<bool()> tick)
    : clock_(clock), interval_(interval), tick_(std::move(tick)), thread_([this] { Run(); }) {}

RevocationWorker::~RevocationWorker() { Stop(); }

void RevocationWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RevocationWorker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // The interval runs from the start of a round: a clock moved while the
    // round ran (a test's Advance) starts the next round at once, so leases
    // made due after the round read the time are not left for a clock that
    // may never move again.
    const auto started = clock_->Monotonic();
    const bool more = tick_();  // host code (store, AWS, audit) runs unlocked
    lock.lock();
    if (!more) WaitUntil(lock, started + interval_);
  }
}

void RevocationWorker::WaitUntil(std::unique_lock<std::mutex>& lock,
                                 std::chrono::steady_clock::time_point until) {
  const bool system_clock = clock_ == Clock::System();
  while (!stopping_) {
    lock.unlock();
    const auto left = until - clock_->Monotonic();  // the clock is host code: read unlocked
    lock.lock();
    if (left <= std::chrono::nanoseconds::zero() || stopping_) return;
    const auto slice = system_clock ? left : std::min<std::chrono::nanoseconds>(left, kClockRecheck);
    cv_.wait_for(lock, slice, [this] { return stopping_; });
  }
}

}  // namespace dyncreds::core
