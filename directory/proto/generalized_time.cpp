// Generalized Time and FILETIME values: see generalized_time.hpp.
#include "directory/proto/generalized_time.hpp"

#include <charconv>
#include <limits>

namespace posta::directory::proto {
namespace {

std::optional<int> digits(std::string_view& text, std::size_t n) {
  if (text.size() < n) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char const c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  text.remove_prefix(n);
  return v;
}

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int const era = (y >= 0 ? y : y - 399) / 400;
  int const yoe = y - era * 400;
  int const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

}  // namespace

std::optional<std::int64_t> parse_generalized_time(std::string_view text) {
  auto year = digits(text, 4), month = digits(text, 2), day = digits(text, 2), hour = digits(text, 2);
  if (!year || !month || !day || !hour) return std::nullopt;
  int minute = 0, second = 0;
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    auto m = digits(text, 2);
    if (!m) return std::nullopt;
    minute = *m;
    if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
      auto s = digits(text, 2);
      if (!s) return std::nullopt;
      second = *s;
    }
  }
  if (!text.empty() && (text[0] == '.' || text[0] == ',')) {
    text.remove_prefix(1);
    std::size_t n = 0;
    while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
    if (n == 0) return std::nullopt;
    text.remove_prefix(n);
  }
  int offset = 0;
  if (text == "Z") {
  } else if (text.size() == 5 && (text[0] == '+' || text[0] == '-')) {
    bool const minus = text[0] == '-';
    text.remove_prefix(1);
    auto oh = digits(text, 2), om = digits(text, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (minus ? -1 : 1) * (*oh * 3600 + *om * 60);
  } else {
    return std::nullopt;
  }
  // RFC 4517 allows a leap second (60).
  if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 || minute > 59 ||
      second > 60)
    return std::nullopt;
  return days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 + minute * 60 + second - offset;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t v = 0;
  auto const* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_account_expires(std::string_view text) {
  auto v = parse_integer(text);
  // Unparseable counts as "never": AD writes only integers here, and a
  // garbled value must not disable everyone.
  if (!v || *v <= 0 || *v == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  constexpr std::int64_t ticks_per_second = 10'000'000;
  constexpr std::int64_t seconds_1601_to_1970 = 11'644'473'600;
  return *v / ticks_per_second - seconds_1601_to_1970;
}

}  // namespace posta::directory::proto
