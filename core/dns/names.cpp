// Query name checks. RFC 1035 2.3.4, RFC 2181 11.
#include "core/dns/names.hpp"

#include "core/util/ascii.hpp"

namespace posta::dns {
namespace {

// SECURITY: RFC 1035 2.3.4 bounds (253 characters in text form).
constexpr std::size_t max_name_length = 253;
constexpr std::size_t max_label_length = 63;

bool is_label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool is_label(std::string_view label) noexcept {
  if (label.empty() || label.size() > max_label_length) return false;
  for (char c : label)
    if (!is_label_char(c)) return false;
  return true;
}

}  // namespace

std::optional<std::string> normalise_query_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  if (name.empty() || name.size() > max_name_length) return std::nullopt;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    if (!is_label(name.substr(start, dot - start))) return std::nullopt;
    start = dot + 1;
  }
  return util::ascii_lowercase(name);
}

std::string normalise_answer_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  return util::ascii_lowercase(name);
}

}  // namespace posta::dns
