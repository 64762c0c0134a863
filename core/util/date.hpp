// Dates in the formats the mail and XMPP protocols use.
#pragma once

#include <chrono>
#include <string>

namespace posta::util {

// RFC 5322 3.3 date-time in UTC: "Fri, 27 Nov 2026 17:48:41 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point at);

// RFC 3339 / XEP-0082 DateTime in UTC, to the second: "2026-11-27T17:48:41Z".
std::string utc_datetime(std::chrono::system_clock::time_point at);

}  // namespace posta::util
