#include "util/time_format.h"

#include <cstdint>
#include <cstring>

namespace dyncreds::timefmt {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
// algorithm): no timegm(), no locale, no global state.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil CivilFromTime(TimePoint t) {
  std::int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t sod = secs - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil c;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2);
  c.hour = static_cast<unsigned>(sod / 3600);
  c.minute = static_cast<unsigned>(sod % 3600 / 60);
  c.second = static_cast<unsigned>(sod % 60);
  return c;
}

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
}

bool Digits(std::string_view s, std::size_t at, std::size_t n, unsigned* out) {
  if (at + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidCivil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) {
  static const unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // 2262-04-11 is where nanoseconds since 1970 overflow 64 bits.
  return y >= 1970 && y <= 2261 && mo >= 1 && mo <= 12 && d >= 1 && d <= kDays[mo - 1] && h < 24 && mi < 60 &&
         s <= 60;
}

TimePoint Make(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) {
  std::int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return TimePoint(std::chrono::seconds(secs));
}

}  // namespace

void FormatAmzDate(TimePoint t, char out[16]) {
  Civil c = CivilFromTime(t);
  Put2(out, static_cast<unsigned>(c.year / 100));
  Put2(out + 2, static_cast<unsigned>(c.year % 100));
  Put2(out + 4, c.month);
  Put2(out + 6, c.day);
  out[8] = 'T';
  Put2(out + 9, c.hour);
  Put2(out + 11, c.minute);
  Put2(out + 13, c.second);
  out[15] = 'Z';
}

std::string FormatIso8601(TimePoint t) {
  Civil c = CivilFromTime(t);
  char buf[21] = "0000-00-00T00:00:00Z";
  Put2(buf, static_cast<unsigned>(c.year / 100));
  Put2(buf + 2, static_cast<unsigned>(c.year % 100));
  Put2(buf + 5, c.month);
  Put2(buf + 8, c.day);
  Put2(buf + 11, c.hour);
  Put2(buf + 14, c.minute);
  Put2(buf + 17, c.second);
  return std::string(buf, 20);
}

std::string FormatIso8601Millis(TimePoint t) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const auto ms = static_cast<unsigned>(((since_epoch % 1000) + 1000) % 1000);
  std::string s = FormatIso8601(t);
  const char fraction[5] = {'.', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                            static_cast<char>('0' + ms % 10), '\0'};
  return s.insert(19, fraction);
}

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  unsigned y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec) || !ValidCivil(y, mo, d, h, mi, sec)) {
    return std::nullopt;
  }
  std::size_t i = 19;
  std::chrono::nanoseconds frac{0};
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    std::int64_t ns = 0, scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ns += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
    frac = std::chrono::nanoseconds(ns);
  }
  std::int64_t offset_secs = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    unsigned oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om)) {
      return std::nullopt;
    }
    offset_secs = (s[i] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return Make(y, mo, d, h, mi, sec) - std::chrono::seconds(offset_secs) +
         std::chrono::duration_cast<TimePoint::duration>(frac);
}

std::optional<TimePoint> ParseHttpDate(std::string_view s) {
  // "Sun, 30 Aug 2015 12:36:00 GMT"
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s.substr(26) != "GMT") return std::nullopt;
  unsigned d, y, h, mi, sec, mo = 0;
  if (!Digits(s, 5, 2, &d) || !Digits(s, 12, 4, &y) || !Digits(s, 17, 2, &h) ||
      !Digits(s, 20, 2, &mi) || !Digits(s, 23, 2, &sec)) {
    return std::nullopt;
  }
  for (unsigned m = 0; m < 12; ++m) {
    if (s.substr(8, 3) == kMonths[m]) mo = m + 1;
  }
  if (mo == 0 || !ValidCivil(y, mo, d, h, mi, sec)) return std::nullopt;
  return Make(y, mo, d, h, mi, sec);
}

}  // namespace dyncreds::timefmt
