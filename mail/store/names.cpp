// Mailbox name rules (RFC 3501 5.1, 6.3.3; RFC 9051 5.1).
#include "mail/store/names.hpp"

#include "core/util/ascii.hpp"
#include "core/util/utf8.hpp"
#include "mail/store/errors.hpp"

namespace posta::mail::store {

bool is_inbox(std::string_view normal_name) { return normal_name == "INBOX"; }

result<std::string> normalise_name(std::string_view name, name_limits const& limits) {
  auto bad = [&](char const* why) { return make_error(store_errc::invalid_name, why); };
  if (!name.empty() && name.back() == hierarchy_separator) name.remove_suffix(1);
  if (name.empty()) return bad("empty mailbox name");
  if (name.size() > limits.max_bytes) return bad("mailbox name too long");
  if (!util::is_valid_utf8(name)) return bad("mailbox name is not UTF-8");
  std::size_t levels = 1;
  char previous = hierarchy_separator;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return bad("control character in mailbox name");
    if (c == hierarchy_separator) {
      if (previous == hierarchy_separator) return bad("empty level in mailbox name");
      ++levels;
    }
    previous = static_cast<char>(c);
  }
  if (levels > limits.max_levels) return bad("mailbox name has too many levels");
  std::string out(name);
  auto first = name.substr(0, name.find(hierarchy_separator));
  if (util::ascii_iequals(first, "INBOX")) out.replace(0, first.size(), "INBOX");
  return out;
}

std::vector<std::string> superiors_of(std::string_view normal_name) {
  std::vector<std::string> out;
  for (auto at = normal_name.find(hierarchy_separator); at != std::string_view::npos;
       at = normal_name.find(hierarchy_separator, at + 1))
    out.emplace_back(normal_name.substr(0, at));
  return out;
}

bool is_below(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() + 1 && name.starts_with(parent) && name[parent.size()] == hierarchy_separator;
}

}  // namespace posta::mail::store
