// The i;ascii-casemap collation (RFC 4790 9.2), the default comparator of
// SORT and THREAD (RFC 5256 2.1, 3): ASCII letters compare case-insensitively,
// every other octet by value.
#pragma once

#include <string>
#include <string_view>

namespace posta::mail::imap::proto {

inline char casemap(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// The collation key: compare two keys octet by octet as unsigned bytes.
inline std::string casemap_key(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = casemap(c);
  return out;
}

// <0, 0, >0 like strcmp, under i;ascii-casemap.
inline int casemap_compare(std::string_view a, std::string_view b) {
  auto n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(casemap(a[i]));
    auto y = static_cast<unsigned char>(casemap(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// ASCII case-insensitive prefix test; `prefix` must be lowercase or non-letters.
inline bool casemap_equals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && casemap_compare(a, b) == 0;
}

inline bool casemap_starts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  return casemap_compare(s.substr(0, prefix.size()), prefix) == 0;
}

inline bool casemap_ends_with(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return casemap_compare(s.substr(s.size() - suffix.size()), suffix) == 0;
}

}  // namespace posta::mail::imap::proto
