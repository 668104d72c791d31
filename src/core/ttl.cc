#include "dyncreds/ttl.h"

#include <cctype>
#include <cmath>
#include <cstdint>

namespace dyncreds {
namespace {

// Nanoseconds per unit, longest unit names first so "ms" wins over "m".
struct Unit {
  std::string_view name;
  double nanoseconds;
};
constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9},
                           {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
constexpr double kMaxSeconds = 100.0 * 365 * 86400;  // a century is plenty for any TTL

}  // namespace

Result<std::chrono::seconds> ParseTtl(std::string_view text, std::string_view field) {
  const std::string f(field);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(f, "\"" + std::string(text) + "\" is not a duration: " + why +
                                          " (use seconds, or e.g. 90s, 30m, 1h30m, 768h, 7d)");
  };
  if (text.empty()) return bad("it is empty");
  const bool digits_only = text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits_only) {
    // The same century as the unit form: whatever parses formats and parses back.
    if (text.size() > 12 || std::stoll(std::string(text)) > static_cast<long long>(kMaxSeconds)) return bad("too large");
    return std::chrono::seconds(std::stoll(std::string(text)));
  }
  double total_ns = 0;
  std::size_t p = 0;
  while (p < text.size()) {
    const std::size_t start = p;
    while (p < text.size() && (std::isdigit(static_cast<unsigned char>(text[p])) || text[p] == '.')) ++p;
    const std::string number(text.substr(start, p - start));
    if (number.empty() || number == "." || number.find('.') != number.rfind('.')) {
      return bad("expected a number at \"" + std::string(text.substr(start)) + "\"");
    }
    // Beyond 20 digits no unit keeps it under a century, and std::stod
    // would throw out_of_range on some (fuzz_ttl found that).
    if (number.size() > 20) return bad("too large");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.compare(p, u.name.size(), u.name) == 0 &&
          (unit == nullptr || u.name.size() > unit->name.size())) {
        unit = &u;
      }
    }
    if (unit == nullptr) return bad(p < text.size() ? "unknown unit \"" + std::string(text.substr(p)) + "\"" : "missing unit");
    p += unit->name.size();
    total_ns += std::stod(number) * unit->nanoseconds;
    if (total_ns / 1e9 > kMaxSeconds) return bad("too large");
  }
  const double seconds = total_ns / 1e9;
  if (seconds != std::floor(seconds)) return bad("not a whole number of seconds");
  return std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

std::string FormatTtl(std::chrono::seconds ttl) {
  std::int64_t s = ttl.count();
  if (s == 0) return "0s";
  std::string out = s < 0 ? "-" : "";
  s = s < 0 ? -s : s;
  if (s >= 3600) out += std::to_string(s / 3600) + "h";
  if (s >= 60) out += std::to_string(s / 60 % 60) + "m";
  return out + std::to_string(s % 60) + "s";
}

}  // namespace dyncreds
