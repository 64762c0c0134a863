// IMAP dates: date-time of APPEND and INTERNALDATE, and date of the SEARCH
// keys BEFORE/ON/SINCE/SENT* (RFC 3501 9, RFC 9051 9).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

struct date_time {
  std::chrono::sys_seconds utc{};  // the instant
  int zone_minutes = 0;            // the sender's offset from UTC, e.g. -420 for -0700
  friend bool operator==(date_time const&, date_time const&) = default;
};

// "17-Jul-1996 02:44:25 -0700" (the text between the quotes). The day may be
// " 7" (date-day-fixed) or, COMPAT(client), "7" or "07"; the month name is
// case-insensitive; the date must exist and the zone be within +-2359.
std::optional<date_time> parse_date_time(std::string_view text);

// "1-Feb-1994" or "01-Feb-1994" (date-text, without quotes).
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

// INTERNALDATE, quoted: "\"17-Jul-1996 09:44:25 +0000\"" for the instant
// shown in the given zone (date-day-fixed: a space before a one-digit day).
std::string format_internaldate(std::chrono::sys_seconds utc, int zone_minutes = 0);

}  // namespace posta::mail::imap::proto
