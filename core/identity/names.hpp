// Normalisation and validation of the names of the identity model: domain
// names (RFC 1035 §2.3.1 LDH, RFC 5890/5891 IDNA2008 via libidn2), local
// parts of accounts and aliases, addresses (RFC 5321 §4.5.3.1 lengths) and
// login names. Each returns the canonical form or a message naming the input.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace posta::identity {

// SECURITY: RFC 1035 §2.3.4 and RFC 5321 §4.5.3.1 limits.
inline constexpr std::size_t max_domain_bytes = 253;
inline constexpr std::size_t max_label_bytes = 63;
inline constexpr std::size_t max_local_part_bytes = 64;
inline constexpr std::size_t max_address_bytes = 254;
// SECURITY: raw input longer than this is refused before any IDNA processing.
inline constexpr std::size_t max_name_input_bytes = 1024;

// "Bücher.Example" -> "xn--bcher-kva.example". IDNA2008 with UTS #46
// non-transitional mapping (so "ß" stays "ß": "faß.de" -> "xn--fa-hia.de"),
// then lowercased; every label LDH (letters, digits, inner hyphens), labels
// 1..63 octets, total at most 253, no trailing dot, a top-level label that is
// not all digits. Errors: errc::invalid_argument.
result<std::string> normalise_domain(std::string_view input);

// A local part an administrator may create for a mailbox or alias: ASCII
// letters (lowercased), digits, '.', '-', '_', '+'; no leading, trailing or
// doubled dots; 1..64 octets.
result<std::string> normalise_local_part(std::string_view input);

// "Local@Domain" -> "local@domain". Exactly one '@'.
result<std::string> normalise_address(std::string_view input);

// A login as typed by a user: without '@' it belongs to `default_domain`.
result<std::string> normalise_login(std::string_view input, std::string_view default_domain);

}  // namespace posta::identity
