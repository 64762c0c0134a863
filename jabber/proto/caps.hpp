// XEP-0115 entity capabilities: the verification string of an identity and
// feature list (section 5.1, SHA-1 per section 5.2, no extended service
// discovery forms), and the server's <c/> element for its stream features
// (section 6.3), computed from the very lists its disco#info answers with,
// so a feature added to server_features() changes 'ver' by itself.
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

// XEP-0115 5.1: identities sorted by category/type/lang (then name), each
// "category/type/lang/name<", features sorted, each "feature<"; then the
// base64 of the SHA-1 of those bytes. Duplicates are kept as given (5.4
// makes a receiver refuse them; the server never lists any twice).
std::string caps_ver(std::span<disco_identity const> identities, std::span<std::string_view const> features);

// The node the server names itself by (XEP-0115 4: a URI of the software).
inline constexpr std::string_view server_caps_node = "https://posta.invalid/caps";

// 'ver' of the server's own disco#info (iq_replies.hpp), computed once.
std::string const& server_caps_ver();

// <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node=... ver=.../>
std::string format_server_caps();

// XEP-0115 6.2: a disco#info query to "node#ver" is answered with the same
// identities and features, the node echoed. Whether `node` is that one.
bool is_server_caps_node(std::string_view node);

}  // namespace posta::jabber::proto
