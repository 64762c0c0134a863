// Reduces HTML (text/html parts) to the text a reader sees, for the search
// text: tags dropped, script/style/comment content dropped, character
// references decoded (HTML 5 "13.5 named character references", the common
// ones), white space collapsed, block elements as line breaks.
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::mime {

// `html` is UTF-8 (already charset converted). Never fails: an unterminated
// tag or comment ends the text. Linear in the input.
std::string html_to_text(std::string_view html);

}  // namespace posta::mail::mime
