// xtext, the encoding of DSN and AUTH parameter values. RFC 3461 4
// (xtext = *( xchar / hexchar ), hexchar = "+" 2HEXDIG), used by RFC 4954 5.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace posta::mail::smtp::proto {

// Decodes xtext; nullopt when `text` is not xtext (a byte outside "!".."~",
// a bare "=", or a "+" not followed by two hex digits).
// COMPAT: lower-case hex digits are accepted; RFC 3461 asks for upper case.
std::optional<std::string> xtext_decode(std::string_view text);

// Encodes any octets: "+", "=", controls, space and non-ASCII become "+XX".
std::string xtext_encode(std::string_view raw);

}  // namespace posta::mail::smtp::proto
