// time_format.h: the time formats AWS uses, parsed strictly, always in UTC.
#ifndef DYNCREDS_SRC_UTIL_TIME_FORMAT_H_
#define DYNCREDS_SRC_UTIL_TIME_FORMAT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dyncreds::timefmt {

using TimePoint = std::chrono::system_clock::time_point;

// "20150830T123600Z" (SigV4's X-Amz-Date) into out[0..15], no terminator.
void FormatAmzDate(TimePoint t, char out[16]);

// "2015-08-30T12:36:00Z".
std::string FormatIso8601(TimePoint t);

// "2015-08-30T12:36:00.123Z", for logs and audit events.
std::string FormatIso8601Millis(TimePoint t);

// ISO 8601 as AWS writes it: "2015-08-30T12:36:00Z", with or without
// fractional seconds ("...00.123Z"), or with a "+00:00"-style offset.
// The latest Unix second a TimePoint (nanoseconds in 64 bits) can hold:
// 2262-04-11T23:47:16Z.
constexpr std::int64_t kMaxUnixSeconds = INT64_MAX / 1'000'000'000;

std::optional<TimePoint> ParseIso8601(std::string_view s);

// RFC 7231 IMF-fixdate, as in the HTTP Date header: "Sun, 30 Aug 2015 12:36:00 GMT".
std::optional<TimePoint> ParseHttpDate(std::string_view s);

}  // namespace dyncreds::timefmt

#endif  // DYNCREDS_SRC_UTIL_TIME_FORMAT_H_
