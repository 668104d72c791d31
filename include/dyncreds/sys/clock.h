// sys/clock.h (an extension interface): the only source of time in libdyncreds.
//
// Everything that reads the time or waits goes through a Clock, so tests can
// move time without sleeping (see tests' FakeClock).
//
// Thread safety: implementations must be safe for concurrent use.
#ifndef DYNCREDS_SYS_CLOCK_H_
#define DYNCREDS_SYS_CLOCK_H_

#include <chrono>

#include "dyncreds/export.h"

namespace dyncreds {

class DYNCREDS_EXPORT Clock {
 public:
  virtual ~Clock();
  // Wall-clock time: signing dates, lease expiry.
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Blocks the calling thread for `d` (retry backoff).
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
  // Monotonic time: latencies and the revocation worker's interval, never
  // moved by a step of the wall clock. The default is std::chrono's steady
  // clock; a clock that runs on its own (a test's) overrides it to match Now().
  virtual std::chrono::steady_clock::time_point Monotonic();

  // The real clock. Belongs to libdyncreds; never delete it.
  static Clock* System();
};

}  // namespace dyncreds

#endif  // DYNCREDS_SYS_CLOCK_H_
