// PostgreSQL array literals for parameters ($1::text[]), so a whole batch of
// rows travels in one statement (INSERT … SELECT * FROM unnest(…)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace posta::db {

inline std::string int_array(std::vector<std::int64_t> const& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

// Every element quoted, with " and \ escaped: safe for any text.
inline std::string text_array(std::vector<std::string> const& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace posta::db
