// Hexadecimal text of bytes (RFC 4648 §8 alphabet): blob names, generated
// secrets, escaped bytes in messages, xtext-like "+XX" forms.
#pragma once

#include <string>
#include <string_view>

namespace posta::util {

// Two hex digits for `b`, lowercase unless `upper`.
inline void append_hex(std::string& out, unsigned char b, bool upper = false) {
  char const* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  out += digits[b >> 4];
  out += digits[b & 15];
}

// The value of one hex digit (either case), or -1 for any other character.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lowercase hex of every byte.
inline std::string hex_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_hex(out, static_cast<unsigned char>(c));
  return out;
}

}  // namespace posta::util
