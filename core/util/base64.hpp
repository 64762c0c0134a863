// Base64 and base64url (RFC 4648 §4, §5): encoding, and a strict decoder for
// hostile input (SASL responses, PHC strings, stored SCRAM keys).
#pragma once

#include "core/util/result.hpp"

#include <string>
#include <string_view>

namespace posta::util {

enum class base64_alphabet { standard, url };  // "+/" (§4) or "-_" (§5)
enum class base64_padding { required, none };  // "=" to a multiple of 4, or none at all
enum class base64_whitespace { reject, ignore };  // ignore: SP, HT, CR, LF anywhere

struct base64_options {
  base64_alphabet alphabet = base64_alphabet::standard;
  base64_padding padding = base64_padding::required;
  base64_whitespace whitespace = base64_whitespace::reject;
};

std::string base64_encode(std::string_view bytes, base64_alphabet alphabet = base64_alphabet::standard,
                          base64_padding padding = base64_padding::required);

// Strict (RFC 4648 §3.3, §3.5): fails with errc::invalid_argument on a
// character outside the alphabet, wrong or misplaced padding, an impossible
// length, or non-zero bits in the last character (non-canonical encodings are
// refused so one value has exactly one spelling). Empty input decodes to "".
result<std::string> base64_decode(std::string_view text, base64_options const& options = {});

inline result<std::string> base64_decode(std::string_view text, base64_whitespace whitespace) {
  return base64_decode(text, base64_options{.whitespace = whitespace});
}

}  // namespace posta::util
