// Outcomes of a DNS look-up that are not answers, as error codes. The queue
// runner decides on them: only NXDOMAIN (RFC 1035 4.1.1 RCODE 3) and NODATA
// (RFC 2308 2.2: NOERROR with no record of the type) are facts about the
// name; everything else (SERVFAIL, REFUSED, no answer in time, a broken
// answer) says nothing about it and is temporary (RFC 5321 5.1).
#pragma once

#include "core/util/result.hpp"

#include <system_error>

namespace posta::dns {

enum class dns_errc {
  nxdomain = 1,    // the name does not exist
  nodata,          // the name exists, but has no record of this type
  server_failure,  // SERVFAIL, or the server could not be reached (refused connection)
  refused,         // REFUSED, NOTIMP, FORMERR: the server will not answer this
  timeout,         // no answer within the query's bound
  bad_answer,      // an answer that does not parse, or is over our bounds
  bad_name,        // the name cannot be asked (empty, too long, bad characters)
  cancelled,       // the resolver is shutting down
};

std::error_category const& dns_category() noexcept;

inline std::error_code make_error_code(dns_errc e) noexcept { return {static_cast<int>(e), dns_category()}; }

inline error make_error(dns_errc e, std::string context = {}) {
  return error{make_error_code(e), std::move(context)};
}

inline bool is(error const& e, dns_errc code) noexcept { return e.code == make_error_code(code); }
inline bool is_nxdomain(error const& e) noexcept { return is(e, dns_errc::nxdomain); }
inline bool is_nodata(error const& e) noexcept { return is(e, dns_errc::nodata); }

// True when the outcome may differ if asked again later: everything but
// NXDOMAIN, NODATA and a name that cannot be asked at all.
bool is_temporary(error const& e) noexcept;

}  // namespace posta::dns

template <>
struct std::is_error_code_enum<posta::dns::dns_errc> : std::true_type {};
