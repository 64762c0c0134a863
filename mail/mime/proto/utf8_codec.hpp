// One code point to and from UTF-8 (RFC 3629 3, 4), for the pure text
// helpers of this folder (case folding, HTML character references).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace posta::mail::mime {

// The length of the well-formed sequence at `s[i]` (cp set), or 0 for an
// ill-formed one (overlong, surrogate, above U+10FFFF, truncated).
inline std::size_t decode_utf8_at(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char lead = b(0);
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  std::size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || lead > 0xF4) return 0;
  cp = lead & (0xFF >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= s.size() || (b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  bool invalid = (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF;
  return overlong || invalid ? 0 : n;
}

// Appends `cp` (a scalar value: not a surrogate, at most U+10FFFF).
inline void append_utf8(char32_t cp, std::string& out) {
  auto put = [&](std::uint32_t v) { out.push_back(static_cast<char>(v)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

}  // namespace posta::mail::mime
