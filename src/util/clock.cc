#include "dyncreds/sys/clock.h"

#include <thread>

namespace dyncreds {

Clock::~Clock() = default;

std::chrono::steady_clock::time_point Clock::Monotonic() { return std::chrono::steady_clock::now(); }

namespace {
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override { return std::chrono::system_clock::now(); }
  void SleepFor(std::chrono::nanoseconds d) override { std::this_thread::sleep_for(d); }
};
}  // namespace

Clock* Clock::System() {
  static SystemClock* const kClock = new SystemClock();
  return kClock;
}

}  // namespace dyncreds
