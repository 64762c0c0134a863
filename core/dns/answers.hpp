// Conversion of raw DNS answers (as c-ares hands them over) into our types,
// with bounds on what one answer may hold. Internal to core/dns.
#pragma once

#include "core/dns/records.hpp"
#include "core/util/result.hpp"

#include <string_view>
#include <vector>

namespace posta::dns {

// SECURITY: one answer yields at most this many records, and TXT answers at
// most max_txt_octets in all; the rest of a larger answer is ignored.
inline constexpr int max_answer_records = 64;
inline constexpr std::size_t max_txt_octets = 64 * 1024;

// A c-ares status (ARES_E…) as our error; `what` names the query ("MX example.org").
error error_from_status(int status, std::string_view what);

result<std::vector<mx_record>> parse_mx_answer(std::string_view answer, std::string_view what);
result<ipv4_list> parse_a_answer(std::string_view answer, std::string_view what);
result<ipv6_list> parse_aaaa_answer(std::string_view answer, std::string_view what);
result<txt_list> parse_txt_answer(std::string_view answer, std::string_view what);

}  // namespace posta::dns
