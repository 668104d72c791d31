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

  // The real clock. Belongs to libdyncreds; never delete it.
  static Clock* System();
};

}  // namespace dyncreds

#endif  // DYNCREDS_SYS_CLOCK_H_
