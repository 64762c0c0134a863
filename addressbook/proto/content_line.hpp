// vCard content lines (RFC 6350 3.2 and 3.3, RFC 2426 for 3.0, RFC 6868 for
// parameter values): unfolding a text into logical lines, and one logical
// line split into group, name, parameters and its still-escaped value. The
// vCard 2.1 forms old clients still send are read too: bare parameters
// (`TEL;WORK;VOICE:`) and quoted-printable soft line breaks. Pure.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::addressbook::proto {

// SECURITY: bounds of one logical line, so that no input makes a line's
// parsing grow without end (the card's own byte bound is in vcard.hpp).
struct line_limits {
  std::size_t max_name_bytes = 128;   // group and property names, parameter names
  std::size_t max_params = 64;        // parameters of one property
  std::size_t max_param_values = 64;  // comma-separated values of one parameter
};

struct parameter {
  std::string name;                 // upper-cased
  std::vector<std::string> values;  // unquoted; RFC 6868 caret escapes decoded when asked
  bool operator==(parameter const&) const = default;
};

struct content_line {
  std::string group;  // as written ("item1" of Apple's "item1.EMAIL"), may be empty
  std::string name;   // upper-cased: "FN", "TEL", "X-ABLABEL"
  std::vector<parameter> params;
  std::string value;  // raw: still escaped (\n \, \;) and, for 2.1, maybe quoted-printable

  parameter const* param(std::string_view name) const;  // name upper-case
  // The first value of `name`, or "" (ENCODING, CHARSET, VALUE, MEDIATYPE …).
  std::string param_value(std::string_view name) const;
  // TYPE=work,voice, TYPE=WORK;TYPE=VOICE and 2.1's bare WORK;VOICE alike,
  // case-insensitive.
  bool has_type(std::string_view type) const;
  bool operator==(content_line const&) const = default;
};

// The logical lines of `text`: CRLF, LF or a lone CR ends a physical line; a
// line that starts with a space or a tab continues the one before it (that
// one character removed, RFC 6350 3.2). COMPAT(vCard 2.1): a quoted-printable
// value whose line ends in "=" continues on the next line (the "=" removed).
// Empty lines are dropped (Outlook separates cards with them).
std::vector<std::string> unfold_lines(std::string_view text);

// Parses one logical line. errc::invalid_argument with a short reason for a
// line that is not `[group "."] name *(";" param) ":" value`, or that holds
// bytes no text may (NUL, other controls than HT); errc::limit_exceeded past
// `limits`. `caret_escapes`: decode RFC 6868's ^n ^^ ^' (vCard 4.0).
result<content_line> parse_content_line(std::string_view line, bool caret_escapes, line_limits const& limits = {});

}  // namespace posta::addressbook::proto
