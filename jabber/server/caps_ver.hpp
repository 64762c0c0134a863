// XEP-0115 verification strings (5.1, SHA-1 as in the example of 5.2) and
// the server's own, computed from the very lists its disco#info answers
// with (proto/iq_replies.hpp), so a feature added to server_features()
// changes 'ver' by itself.
#pragma once

#include "jabber/proto/caps.hpp"

#include <string>

namespace posta::jabber::server {

// base64(SHA-1(caps_hash_input(...))).
std::string caps_ver(std::span<proto::disco_identity const> identities, std::span<std::string_view const> features);

// 'ver' of the server's disco#info, computed once, and its <c/> element.
std::string const& server_caps_ver();
std::string const& server_caps_element();

// XEP-0115 6.2: whether a disco#info `node` is the server's "node#ver".
bool is_server_caps_node(std::string_view node);

}  // namespace posta::jabber::server
