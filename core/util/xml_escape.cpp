// XML escaping for the text Posta writes itself (XML 1.0 sections 2.4, 3.1): see xml_escape.hpp.
#include "core/util/xml_escape.hpp"

namespace posta::util {

namespace {

// The replacement of one byte, or empty when the byte is copied as it is.
std::string_view replacement(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '\'':
      return "&apos;";
    case '"':
      return "&quot;";
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    case '\r':
      return "&#13;";
    default:
      return {};
  }
}

bool is_forbidden_control(char c) {
  return static_cast<unsigned char>(c) < 0x20;
}

// U+FFFE and U+FFFF (EF BF BE, EF BF BF) are valid UTF-8 but no XML 1.0
// Char (section 2.2): a parser refuses the whole document.
bool is_noncharacter_at(std::string_view text, std::size_t i) {
  return text.size() - i >= 3 && text[i] == '\xef' && text[i + 1] == '\xbf' &&
         (text[i + 2] == '\xbe' || text[i + 2] == '\xbf');
}

}  // namespace

void append_xml_escaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (is_noncharacter_at(text, i)) {
      i += 2;
    } else if (auto const r = replacement(c); !r.empty()) {
      out.append(r);
    } else if (!is_forbidden_control(c)) {
      out.push_back(c);
    }
  }
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  append_xml_escaped(out, text);
  return out;
}

}  // namespace posta::util
