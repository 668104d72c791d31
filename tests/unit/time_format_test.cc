// ISO 8601 and HTTP dates, parsed strictly in UTC (util/time_format).
#include <doctest/doctest.h>

#include "util/time_format.h"

using namespace dyncreds;

TEST_CASE("ISO 8601 and HTTP dates parse strictly, in UTC") {
  using namespace std::chrono;
  auto base = timefmt::ParseIso8601("2015-08-30T12:36:00Z");
  REQUIRE(base);
  CHECK(base->time_since_epoch() == seconds(1440938160));
  CHECK(timefmt::ParseIso8601("2015-08-30T12:36:00.123Z") == *base + milliseconds(123));
  CHECK(timefmt::ParseIso8601("2015-08-30T14:36:00+02:00") == *base);
  CHECK(timefmt::FormatIso8601(*base) == "2015-08-30T12:36:00Z");
  char amz[16];
  timefmt::FormatAmzDate(*base, amz);
  CHECK(std::string(amz, 16) == "20150830T123600Z");
  CHECK(timefmt::ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT") == *base);
  for (const char* bad : {"", "2015-08-30", "2015-13-01T00:00:00Z", "2015-02-30T00:00:00Z",
                          "2015-08-30T12:36:00", "2015-08-30T12:36:00Zjunk", "2015-08-30T25:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(timefmt::ParseIso8601(bad).has_value());
  }
  CHECK_FALSE(timefmt::ParseHttpDate("Sun, 30 Foo 2015 12:36:00 GMT").has_value());
}
