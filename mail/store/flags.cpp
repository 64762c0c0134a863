// Flag canonicalisation and STORE arithmetic (RFC 3501 6.4.6, RFC 9051 6.4.6).
#include "mail/store/flags.hpp"

#include "core/util/ascii.hpp"
#include "mail/store/errors.hpp"

#include <algorithm>
#include <array>

namespace posta::mail::store {
namespace {

constexpr std::array<std::string_view, 5> system_flags = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"};

// RFC 3501 9: atom-specials are ( ) { SP CTL % * " \ and ].
bool is_atom_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']': return false;
    default: return true;
  }
}

bool contains(flag_list const& flags, std::string_view flag) {
  return std::any_of(flags.begin(), flags.end(), [&](auto const& f) { return util::ascii_iequals(f, flag); });
}

// System flags in their fixed order, then keywords in order of appearance.
flag_list canonical_order(flag_list flags) {
  flag_list out;
  for (auto s : system_flags)
    if (contains(flags, s)) out.emplace_back(s);
  for (auto& f : flags)
    if (!is_system_flag(f) && !contains(out, f)) out.push_back(std::move(f));
  return out;
}

}  // namespace

bool is_system_flag(std::string_view flag) {
  return std::find(system_flags.begin(), system_flags.end(), flag) != system_flags.end();
}

result<flag_list> normalise_flags(std::vector<std::string> const& given, flag_limits const& limits) {
  flag_list out;
  for (auto const& f : given) {
    if (f.starts_with('\\')) {
      if (util::ascii_iequals(f, "\\Recent")) continue;
      auto it = std::find_if(system_flags.begin(), system_flags.end(),
                             [&](std::string_view s) { return util::ascii_iequals(s, f); });
      if (it == system_flags.end()) return make_error(errc::invalid_argument, "unknown system flag " + f);
      out.emplace_back(*it);
      continue;
    }
    if (f.empty() || !std::all_of(f.begin(), f.end(), [](char c) { return is_atom_char(static_cast<unsigned char>(c)); }))
      return make_error(errc::invalid_argument, "a keyword must be an atom");
    if (f.size() > limits.max_keyword_bytes) return make_error(store_errc::limit, "keyword too long");
    out.push_back(f);
  }
  out = canonical_order(std::move(out));
  if (out.size() > limits.max_flags) return make_error(store_errc::limit, "too many flags on one message");
  return out;
}

flag_list apply_store(flag_list const& current, store_mode mode, flag_list const& given) {
  switch (mode) {
    case store_mode::replace: return canonical_order(given);
    case store_mode::add: {
      flag_list all = current;
      all.insert(all.end(), given.begin(), given.end());
      return canonical_order(std::move(all));
    }
    case store_mode::remove: {
      flag_list kept;
      for (auto const& f : current)
        if (!contains(given, f)) kept.push_back(f);
      return kept;
    }
  }
  return current;
}

bool same_flags(flag_list const& a, flag_list const& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](auto const& f) { return contains(b, f); });
}

bool has_flag(flag_list const& flags, std::string_view flag) { return contains(flags, flag); }

std::optional<std::vector<std::string>> parse_text_array(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  std::vector<std::string> out;
  std::size_t i = 1, end = text.size() - 1;
  if (i == end) return out;
  while (i <= end) {
    std::string item;
    if (i < end && text[i] == '"') {
      ++i;
      while (i < end && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < end) ++i;
        item += text[i++];
      }
      if (i >= end) return std::nullopt;
      ++i;  // closing quote
    } else {
      while (i < end && text[i] != ',') item += text[i++];
    }
    out.push_back(std::move(item));
    if (i == end) break;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
  return out;
}

}  // namespace posta::mail::store
