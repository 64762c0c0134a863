// XEP-0115 entity capabilities, the pure part: the input of the
// verification string (section 5.1, no extended service discovery forms)
// and the <c/> element (section 6.3). The hash and the server's own 'ver'
// are in jabber/server/caps_ver.hpp (hashing is not proto's to include).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// XEP-0030 3.1: <identity category type [xml:lang] [name]/>.
struct disco_identity {
  std::string_view category;
  std::string_view type;
  std::string_view lang;
  std::string_view name;
};

// XEP-0115 5.1: the string S that is hashed: identities sorted by
// category/type/lang (then name), each "category/type/lang/name<", then the
// features sorted bytewise, each "feature<". Duplicates are kept as given
// (5.4 makes a receiver refuse them; the server never lists any twice).
std::string caps_hash_input(std::span<disco_identity const> identities, std::span<std::string_view const> features);

// The node the server names itself by (XEP-0115 4: a URI of the software).
inline constexpr std::string_view server_caps_node = "https://posta.invalid/caps";

// <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node=NODE ver=VER/>
std::string format_caps(std::string_view node, std::string_view ver);

}  // namespace posta::jabber::proto
