// The structure of a JID and the rules on its localpart and resourcepart
// (RFC 7622 sections 3.1, 3.3, 3.4); jid.hpp adds the domainpart and gloox's
// stringprep on top.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string_view>
#include <system_error>

namespace posta::jabber::xml {

// SECURITY: RFC 7622 section 3.1: each part at most 1023 octets.
inline constexpr std::size_t max_jid_part_bytes = 1023;

// Why a JID was refused; every one is answered with jid-malformed.
enum class jid_errc {
  empty = 1,
  empty_localpart,     // "@domain"
  empty_domainpart,    // "a@/r"
  empty_resourcepart,  // "domain/"
  localpart_too_long,
  domainpart_too_long,
  resourcepart_too_long,
  more_than_one_at,  // "a@b@c": the domainpart would contain '@'
  forbidden_localpart_character,
  control_character,
  invalid_utf8,
  invalid_domainpart,
  preparation_failed,  // stringprep (gloox) refused a part
};

std::error_category const& jid_category() noexcept;

inline std::error_code make_error_code(jid_errc e) noexcept {
  return {static_cast<int>(e), jid_category()};
}

inline error make_error(jid_errc e, std::string context = {}) {
  return error{make_error_code(e), std::move(context)};
}

// The three parts as they appear in the input; has_* tell an absent part from
// an empty one.
struct jid_parts {
  std::string_view localpart;
  std::string_view domainpart;
  std::string_view resourcepart;
  bool has_localpart = false;
  bool has_resourcepart = false;
};

// RFC 7622 section 3.1 order: the resourcepart starts at the first '/' (and
// may contain '@' and '/'); in what precedes it, the localpart ends at the
// first '@'. Checks emptiness, lengths and a second '@', nothing more.
result<jid_parts> split_jid(std::string_view jid);

// RFC 7622 section 3.3 (UsernameCaseMapped, IdentifierClass): valid UTF-8, no
// " & ' / : < > @, no spaces (ASCII or Unicode) and no controls. The Unicode
// letter and digit tables are left to stringprep's nodeprep (gloox).
result<void> check_localpart(std::string_view local);

// RFC 7622 section 3.4 (OpaqueString, FreeformClass): valid UTF-8 without
// control characters; spaces are allowed.
result<void> check_resourcepart(std::string_view resource);

}  // namespace posta::jabber::xml

template <>
struct std::is_error_code_enum<posta::jabber::xml::jid_errc> : std::true_type {};
