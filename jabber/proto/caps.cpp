// XEP-0115 5.1 verification strings and the server's caps element (6.3).
#include "jabber/proto/caps.hpp"

#include "core/util/base64.hpp"
#include "core/util/crypto_hash.hpp"
#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace posta::jabber::proto {

std::string caps_ver(std::span<disco_identity const> identities, std::span<std::string_view const> features) {
  std::vector<disco_identity> ids(identities.begin(), identities.end());
  std::sort(ids.begin(), ids.end(), [](disco_identity const& a, disco_identity const& b) {
    return std::tie(a.category, a.type, a.lang, a.name) < std::tie(b.category, b.type, b.lang, b.name);
  });
  std::vector<std::string_view> vars(features.begin(), features.end());
  std::sort(vars.begin(), vars.end());  // i;octet: bytewise
  std::string s;
  for (auto const& i : ids) {
    s += i.category;
    s += '/';
    s += i.type;
    s += '/';
    s += i.lang;
    s += '/';
    s += i.name;
    s += '<';
  }
  for (auto v : vars) {
    s += v;
    s += '<';
  }
  return util::base64_encode(util::digest(util::hash_algorithm::sha1, s));
}

std::string const& server_caps_ver() {
  static std::string const ver = caps_ver(server_identities(), server_features());
  return ver;
}

std::string format_server_caps() {
  std::string out = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='";
  append_escaped(out, server_caps_node);
  out += "' ver='";
  append_escaped(out, server_caps_ver());
  out += "'/>";
  return out;
}

bool is_server_caps_node(std::string_view node) {
  auto const& ver = server_caps_ver();
  return node.size() == server_caps_node.size() + 1 + ver.size() && node.starts_with(server_caps_node) &&
         node[server_caps_node.size()] == '#' && node.ends_with(ver);
}

}  // namespace posta::jabber::proto
