// LDAP Generalized Time (RFC 4517 section 3.3.13), as directories write it
// in modifyTimestamp, whenChanged and pwdAccountLockedTime, and AD's
// FILETIME integers (accountExpires, pwdLastSet: 100 ns intervals since
// 1601-01-01 UTC, MS-ADTS 2.2.1 / [MS-DTYP] FILETIME).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace posta::directory::proto {

// Seconds since the Unix epoch of "YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|(+|-)HHMM)";
// the fraction is dropped. nullopt for anything else, or a date out of range.
std::optional<std::int64_t> parse_generalized_time(std::string_view text);

// accountExpires: nullopt when it never expires (0 or 0x7FFFFFFFFFFFFFFF),
// else the Unix second it expires at. Text as the directory sends it.
std::optional<std::int64_t> parse_account_expires(std::string_view text);

// A decimal integer attribute value (userAccountControl, uSNChanged), or nullopt.
std::optional<std::int64_t> parse_integer(std::string_view text);

}  // namespace posta::directory::proto
