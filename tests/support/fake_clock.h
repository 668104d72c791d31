// fake_clock.h: a Clock that tests move by hand; SleepFor advances it at once
// and records the delay, so backoff schedules are asserted without sleeping.
// Against a real endpoint (whose keys take real seconds to propagate),
// SleepsForReal() makes SleepFor also wait that long: the engine's waits
// then meet the endpoint's delays, while leases still expire only when the
// test moves the clock.
#ifndef DYNCREDS_TESTS_SUPPORT_FAKE_CLOCK_H_
#define DYNCREDS_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "dyncreds/sys/clock.h"

namespace dyncreds::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1763700000)))
      : start_(start), now_(start) {}

  std::chrono::system_clock::time_point Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  // Moves with Now(): what Advance and SleepFor add, from an arbitrary origin.
  std::chrono::steady_clock::time_point Monotonic() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(now_ - start_));
  }
  void SleepFor(std::chrono::nanoseconds d) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(d);
      now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
      if (!real_sleeps_) return;
    }
    std::this_thread::sleep_for(d);
  }
  FakeClock& SleepsForReal() {
    std::lock_guard<std::mutex> lock(mu_);
    real_sleeps_ = true;
    return *this;
  }
  void Advance(std::chrono::nanoseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  std::vector<std::chrono::nanoseconds> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  const std::chrono::system_clock::time_point start_;
  std::chrono::system_clock::time_point now_;
  std::vector<std::chrono::nanoseconds> sleeps_;
  bool real_sleeps_ = false;
};

}  // namespace dyncreds::testing

#endif  // DYNCREDS_TESTS_SUPPORT_FAKE_CLOCK_H_
