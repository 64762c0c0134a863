// Escaped search filters (RFC 4515 section 3).
#include "directory/proto/ldap_filter.hpp"

#include "core/util/hex.hpp"

namespace posta::directory::proto {

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto const b = static_cast<unsigned char>(c);
    bool const special = c == '*' || c == '(' || c == ')' || c == '\\';
    if (!special && b >= 0x20 && b < 0x7F) {
      out.push_back(c);
      continue;
    }
    out.push_back('\\');
    util::append_hex(out, b, false);
  }
  return out;
}

std::string and_equals(std::string_view base, std::string_view attribute, std::string_view value) {
  std::string out = "(&";
  out += base;
  out += '(';
  out += attribute;
  out += '=';
  out += escape_filter_value(value);
  out += "))";
  return out;
}

bool is_balanced_filter(std::string_view filter) {
  if (filter.size() < 3 || filter.front() != '(' || filter.back() != ')') return false;
  int depth = 0;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    char const c = filter[i];
    if (c == '\0') return false;
    if (c == '\\') {  // an escaped byte: \XX
      ++i;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return false;
    if (depth == 0 && i + 1 != filter.size()) return false;  // one filter, not two side by side
  }
  return depth == 0;
}

}  // namespace posta::directory::proto
