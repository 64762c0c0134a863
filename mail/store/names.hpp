// Mailbox names (RFC 3501 5.1, RFC 9051 5.1): UTF-8, hierarchy separator '/',
// INBOX case-insensitive (also as the first level: "inbox/x" is "INBOX/x").
// Pure; the wire form (modified UTF-7 unless UTF8=ACCEPT) is IMAP's business.
#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::store {

inline constexpr char hierarchy_separator = '/';

struct name_limits {
  // SECURITY: a name is stored and listed per account; bounded in bytes
  // and in levels so a client cannot make rows or LIST replies huge.
  std::size_t max_bytes = 1000;
  std::size_t max_levels = 32;
};

// The canonical stored name: INBOX's case fixed, a trailing '/' dropped
// (RFC 3501 6.3.3: "foo/" declares foo as a parent). Refuses (invalid_name)
// empty names and levels, a leading '/', ill-formed UTF-8, control
// characters, and names past `limits`.
result<std::string> normalise_name(std::string_view name, name_limits const& limits = {});

bool is_inbox(std::string_view normal_name);

// "a/b/c" -> {"a", "a/b"}: the superiors a CREATE implies (RFC 3501 6.3.3).
std::vector<std::string> superiors_of(std::string_view normal_name);

// True when `name` lies below `parent` ("a/b" below "a").
bool is_below(std::string_view name, std::string_view parent);

}  // namespace posta::mail::store
