// IMAP date and date-time parsing and INTERNALDATE formatting (RFC 3501 9).
#include "mail/imap/proto/date_time.hpp"

#include "mail/imap/proto/collation.hpp"

#include <array>
#include <cstdio>

namespace posta::mail::imap::proto {

namespace {

constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Exactly n digits at s[pos..]; nullopt otherwise.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "d-Mon-yyyy" with a 1- or 2-digit day (a leading space allowed when
// `fixed`); sets `used` to the characters consumed.
std::optional<std::chrono::year_month_day> parse_day_month_year(std::string_view s, bool fixed, std::size_t& used) {
  std::size_t pos = fixed && !s.empty() && s[0] == ' ' ? 1 : 0;
  std::size_t dash = s.find('-', pos);
  if (dash == std::string_view::npos || dash == pos || dash - pos > 2 || (pos == 1 && dash != 2)) return std::nullopt;
  auto day = digits(s, pos, dash - pos);
  if (!day || dash + 9 > s.size() || s[dash + 4] != '-') return std::nullopt;
  std::string_view mon = s.substr(dash + 1, 3);
  unsigned m = 0;
  while (m < 12 && !casemap_equals(mon, months[m])) ++m;
  auto year = digits(s, dash + 5, 4);
  if (m == 12 || !year) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{*year}, std::chrono::month{m + 1},
                                  std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  used = dash + 9;
  return ymd;
}

}  // namespace

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  std::size_t used = 0;
  auto ymd = parse_day_month_year(text, false, used);
  if (!ymd || used != text.size()) return std::nullopt;
  return ymd;
}

std::optional<date_time> parse_date_time(std::string_view text) {
  std::size_t used = 0;
  auto ymd = parse_day_month_year(text, true, used);
  // SP time SP zone: " hh:mm:ss +hhmm"
  std::string_view rest = ymd ? text.substr(used) : std::string_view{};
  if (rest.size() != 15 || rest[0] != ' ' || rest[3] != ':' || rest[6] != ':' || rest[9] != ' ') return std::nullopt;
  auto h = digits(rest, 1, 2), mi = digits(rest, 4, 2), sec = digits(rest, 7, 2);
  auto zh = digits(rest, 11, 2), zm = digits(rest, 13, 2);
  if (!h || !mi || !sec || !zh || !zm || (rest[10] != '+' && rest[10] != '-')) return std::nullopt;
  // RFC 3501 allows a leap second (60) in time; it is folded into the next minute.
  if (*h > 23 || *mi > 59 || *sec > 60 || *zm > 59) return std::nullopt;
  int zone = (rest[10] == '-' ? -1 : 1) * (*zh * 60 + *zm);
  using namespace std::chrono;
  sys_seconds local = sys_days{*ymd} + hours{*h} + minutes{*mi} + seconds{*sec};
  return date_time{local - minutes{zone}, zone};
}

std::string format_internaldate(std::chrono::sys_seconds utc, int zone_minutes) {
  using namespace std::chrono;
  sys_seconds local = utc + minutes{zone_minutes};
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%2u-%s-%04d %02d:%02d:%02d %c%02d%02d\"", static_cast<unsigned>(ymd.day()),
                months[static_cast<unsigned>(ymd.month()) - 1].data(), static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

}  // namespace posta::mail::imap::proto
