// Character classes and small helpers shared by the SMTP parsers:
// RFC 5321 4.1.2 / RFC 5322 3.2.3 (atext), RFC 6531 3.3 (UTF8-non-ascii), RFC 3629.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace posta::mail::smtp::proto::grammar {

constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_hex_digit(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_let_dig(char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_non_ascii(char c) noexcept { return static_cast<unsigned char>(c) >= 0x80; }

// RFC 5322 atext (ASCII part).
constexpr bool is_atext(char c) noexcept {
  if (is_let_dig(c)) return true;
  for (char s : std::string_view("!#$%&'*+-/=?^_`{|}~"))
    if (c == s) return true;
  return false;
}

// RFC 5321 qtextSMTP: %d32-33 / %d35-91 / %d93-126 (no '"' and no '\').
constexpr bool is_qtext(char c) noexcept { return c >= 32 && c <= 126 && c != '"' && c != '\\'; }

constexpr char to_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_upper(c);
  return out;
}

// Length of the well-formed UTF-8 sequence of a non-ASCII character at s[pos],
// or 0. SECURITY: rejects overlong forms, surrogates and values past U+10FFFF
// so that two spellings of one address cannot pass different checks.
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept;

}  // namespace posta::mail::smtp::proto::grammar
