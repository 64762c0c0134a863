// Signature templates of the ICS signature editor: HTML and plain text with
// [variable] fields, filled per account from its directory attributes. The
// template is the administrator's; the values come from the directory and
// are escaped in HTML. "[[" writes a literal "[".
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace posta::directory::proto {

// The variables a template may use, by the names the editor shows:
// cn mail title telephoneNumber mobile pager url postalAddress description
// info department company ou ounotes.
std::vector<std::string_view> const& signature_variables();

// SECURITY: the largest template accepted (images are inline data: URLs).
inline constexpr std::size_t max_signature_template = 512 * 1024;

enum class template_kind { html, text };

struct signature_template {
  struct segment {
    std::string text;  // literal text, or the variable's canonical name
    bool is_variable = false;
  };
  std::vector<segment> segments;
};

// Refuses an unknown variable (naming it and its offset), an oversized
// template, and in HTML an image source other than a data: URL (a signature
// must not make every reader's client fetch a remote image).
result<signature_template> parse_signature_template(std::string_view text, template_kind kind);

// Variable name → value; a missing value renders as empty.
using signature_values = std::map<std::string, std::string, std::less<>>;

// HTML: values escaped, line breaks as <br>. Text: values as they are.
// postalAddress lines (RFC 4517 3.3.28: "$"-separated, \24 and \5C escapes)
// become lines in both.
std::string render_signature(signature_template const& t, signature_values const& values, template_kind kind);

}  // namespace posta::directory::proto
