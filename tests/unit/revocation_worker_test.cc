// The revocation worker's schedule follows the engine's Clock, not the wall:
// with a test clock, an interval of an hour passes when the clock is moved an
// hour, and not before.
#include "core/revocation_worker.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/fake_clock.h"

using dyncreds::core::RevocationWorker;
using dyncreds::testing::FakeClock;
using namespace std::chrono_literals;

namespace {

// Polls `done` for up to 10 s of real time.
template <typename Fn>
bool Eventually(Fn done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

}  // namespace

TEST_CASE("the worker ticks at once, then again only when the engine's clock has moved an interval") {
  FakeClock clock;
  std::atomic<int> ticks{0};
  RevocationWorker worker(&clock, 1h, [&] {
    ++ticks;
    return false;
  });
  REQUIRE(Eventually([&] { return ticks.load() == 1; }));
  // Real time passes, the clock does not: no second round.
  std::this_thread::sleep_for(2 * RevocationWorker::kClockRecheck);
  CHECK(ticks.load() == 1);
  clock.Advance(59min);
  std::this_thread::sleep_for(2 * RevocationWorker::kClockRecheck);
  CHECK(ticks.load() == 1);
  clock.Advance(1min);
  CHECK(Eventually([&] { return ticks.load() == 2; }));
}

TEST_CASE("a round that reports a backlog is followed at once by the next") {
  FakeClock clock;
  std::atomic<int> ticks{0};
  RevocationWorker worker(&clock, 1h, [&] { return ++ticks < 4; });
  CHECK(Eventually([&] { return ticks.load() == 4; }));
  std::this_thread::sleep_for(2 * RevocationWorker::kClockRecheck);
  CHECK(ticks.load() == 4);
}

TEST_CASE("Stop ends a wait of an hour at once, and twice is harmless") {
  std::atomic<int> ticks{0};
  RevocationWorker worker(dyncreds::Clock::System(), 1h, [&] {
    ++ticks;
    return false;
  });
  REQUIRE(Eventually([&] { return ticks.load() == 1; }));
  const auto started = std::chrono::steady_clock::now();
  worker.Stop();
  worker.Stop();
  // Not a speed goal: a Stop that waited out the hour would hang the suite.
  CHECK(std::chrono::steady_clock::now() - started < 30s);
  CHECK(ticks.load() == 1);
}

TEST_CASE("a clock moved while a round runs starts the next round without moving again") {
  // The engine's Tick reads the time early; leases made due by an Advance
  // after that read must not wait for a clock that may never move again.
  FakeClock clock;
  std::atomic<int> ticks{0};
  RevocationWorker worker(&clock, 1h, [&] {
    if (++ticks == 1) clock.Advance(2h);
    return false;
  });
  CHECK(Eventually([&] { return ticks.load() == 2; }));
}
