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

// Every element quoted, with " and \ escaped: safe for any text. Runs of
// plain bytes are copied whole (bodies travel in these arrays).
inline std::string text_array(std::vector<std::string> const& values) {
  std::size_t total = 2;
  for (auto const& v : values) total += v.size() + 3;
  std::string out;
  out.reserve(total);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    std::string_view rest = values[i];
    for (auto special = rest.find_first_of("\"\\"); special != std::string_view::npos;
         special = rest.find_first_of("\"\\")) {
      out.append(rest.substr(0, special));
      out += '\\';
      out += rest[special];
      rest.remove_prefix(special + 1);
    }
    out.append(rest);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace posta::db
