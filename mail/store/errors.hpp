// The outcomes of mailbox store operations that are decisions, not trouble:
// each maps to one IMAP response code (RFC 5530) or POP3 reply in the
// protocol's error_map. Database trouble keeps posta's own codes
// (errc::unavailable and others): a temporary failure, NO without a code.
#pragma once

#include "core/util/result.hpp"

#include <system_error>

namespace posta::mail::store {

enum class store_errc {
  ok = 0,
  nonexistent = 1,   // [NONEXISTENT]: no such mailbox (or a \Noselect one selected)
  already_exists,    // [ALREADYEXISTS]
  over_quota,        // [OVERQUOTA]: STORAGE or MESSAGE quota (RFC 9208)
  cannot,            // [CANNOT]: INBOX deleted, \Noselect with children deleted, rename into itself
  invalid_name,      // mailbox name refused (bad UTF-8, empty level, too long…)
  limit,             // [LIMIT]: keywords, flags or names past a bound
  no_such_message,   // APPEND/COPY of nothing, range read of a UID that is gone
};

std::error_category const& store_category() noexcept;

inline std::error_code make_error_code(store_errc e) noexcept { return {static_cast<int>(e), store_category()}; }
inline error make_error(store_errc e, std::string context = {}) { return error{make_error_code(e), std::move(context)}; }

inline bool is(error const& e, store_errc code) noexcept { return e.code == make_error_code(code); }

}  // namespace posta::mail::store

template <>
struct std::is_error_code_enum<posta::mail::store::store_errc> : std::true_type {};
