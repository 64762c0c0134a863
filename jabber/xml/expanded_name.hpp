// Names as expat reports them with namespace processing and triplets on:
// "uri SEP local SEP prefix", "uri SEP local" (default namespace) or "local"
// (no namespace) (XML Namespaces 1.0 section 3, expanded names).
#pragma once

#include <string_view>

namespace posta::jabber::xml {

// Cannot occur in XML 1.0 text, so it cannot occur in a namespace name.
inline constexpr char namespace_separator = '\x01';

struct expanded_name {
  std::string_view uri;  // empty: no namespace
  std::string_view local;
  std::string_view prefix;  // empty: unprefixed
};

inline expanded_name split_expanded_name(std::string_view name) {
  auto const first = name.find(namespace_separator);
  if (first == std::string_view::npos) return {{}, name, {}};
  auto const rest = name.substr(first + 1);
  auto const second = rest.find(namespace_separator);
  if (second == std::string_view::npos) return {name.substr(0, first), rest, {}};
  return {name.substr(0, first), rest.substr(0, second), rest.substr(second + 1)};
}

}  // namespace posta::jabber::xml
