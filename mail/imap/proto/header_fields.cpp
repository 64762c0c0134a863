// RFC 3501 6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT over RFC 5322 2.2 fields
// (a field runs on over the lines that start with WSP).
#include "mail/imap/proto/header_fields.hpp"

#include "mail/imap/proto/collation.hpp"

#include <algorithm>
#include <optional>

namespace posta::mail::imap::proto {

namespace {

// One line with its line end, from `pos`.
std::string_view line_at(std::string_view header, std::size_t pos) {
  auto eol = header.find('\n', pos);
  return header.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos + 1);
}

bool is_blank(std::string_view line) {
  return line == "\r\n" || line == "\n";
}
bool is_continuation(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

// The field name of a line, trailing WSP removed; nullopt when there is no
// colon or the name is empty.
std::optional<std::string_view> field_name(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  return name;
}

bool listed(std::string_view name, std::span<std::string const> names) {
  return std::any_of(names.begin(), names.end(), [&](auto const& n) { return casemap_compare(n, name) == 0; });
}

}  // namespace

std::string filter_header_fields(std::string_view header, std::span<std::string const> names,
                                 field_selection selection) {
  std::string out;
  bool keep = false;  // whether the current field (and its continuations) is copied
  for (std::size_t pos = 0; pos < header.size();) {
    auto line = line_at(header, pos);
    pos += line.size();
    if (is_blank(line)) {
      out += line;
      break;
    }
    if (!is_continuation(line)) {
      auto name = field_name(line);
      keep = name && listed(*name, names) == (selection == field_selection::only);
    }
    if (keep) out += line;
  }
  return out;
}

}  // namespace posta::mail::imap::proto
