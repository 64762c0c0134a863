// Message flags (RFC 3501 2.3.2, RFC 9051 2.3.2): the system flags \Seen
// \Answered \Flagged \Deleted \Draft and keywords (atoms), stored as text[]
// in a canonical order: system flags first, then keywords as first given,
// each once (keywords compare case-insensitively). \Recent is not stored
// (RFC 9051 removed it; RFC 3501 sessions compute it). Pure.
#pragma once

#include "core/util/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace posta::mail::store {

using flag_list = std::vector<std::string>;

struct flag_limits {
  // SECURITY: one keyword is an atom of at most this many bytes, and a
  // message holds at most max_flags of them; a mailbox remembers at most
  // max_mailbox_keywords distinct keywords (FLAGS / PERMANENTFLAGS list).
  std::size_t max_keyword_bytes = 200;
  std::size_t max_flags = 64;
  std::size_t max_mailbox_keywords = 1000;
};

// Canonical flags from a client's list: system flags with their proper case,
// \Recent dropped, duplicates removed. Refuses (invalid_argument) an unknown
// \-flag or a keyword that is not an atom; store_errc::limit past `limits`.
result<flag_list> normalise_flags(std::vector<std::string> const& given, flag_limits const& limits = {});

enum class store_mode { add, remove, replace };  // +FLAGS, -FLAGS, FLAGS

// `current` changed by a STORE; both canonical, so is the result.
flag_list apply_store(flag_list const& current, store_mode mode, flag_list const& given);

bool same_flags(flag_list const& a, flag_list const& b);
bool has_flag(flag_list const& flags, std::string_view flag);
bool is_system_flag(std::string_view canonical_flag);

// A PostgreSQL text[] in its text output form ({a,"b c","\\Seen"}); nullopt
// when malformed.
std::optional<std::vector<std::string>> parse_text_array(std::string_view text);

}  // namespace posta::mail::store
