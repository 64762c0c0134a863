// XEP-0115 5.1 verification strings, hashed (SHA-1, base64).
#include "jabber/server/caps_ver.hpp"

#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "jabber/proto/iq_replies.hpp"

namespace posta::jabber::server {

std::string caps_ver(std::span<proto::disco_identity const> identities, std::span<std::string_view const> features) {
  return util::base64_encode(util::digest(util::hash_algorithm::sha1, proto::caps_hash_input(identities, features)));
}

std::string const& server_caps_ver() {
  static std::string const ver = caps_ver(proto::server_identities(), proto::server_features());
  return ver;
}

std::string const& server_caps_element() {
  static std::string const element = proto::format_caps(proto::server_caps_node, server_caps_ver());
  return element;
}

bool is_server_caps_node(std::string_view node) {
  auto const& ver = server_caps_ver();
  auto const base = proto::server_caps_node;
  return node.size() == base.size() + 1 + ver.size() && node.starts_with(base) && node[base.size()] == '#' &&
         node.ends_with(ver);
}

}  // namespace posta::jabber::server
