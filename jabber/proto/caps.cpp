// XEP-0115 5.1 verification string input and the caps element (6.3).
#include "jabber/proto/caps.hpp"

#include "jabber/proto/xml_escape.hpp"

#include <algorithm>
#include <tuple>
#include <vector>

namespace posta::jabber::proto {

std::string caps_hash_input(std::span<disco_identity const> identities, std::span<std::string_view const> features) {
  std::vector<disco_identity> ids(identities.begin(), identities.end());
  std::sort(ids.begin(), ids.end(), [](disco_identity const& a, disco_identity const& b) {
    return std::tie(a.category, a.type, a.lang, a.name) < std::tie(b.category, b.type, b.lang, b.name);
  });
  std::vector<std::string_view> vars(features.begin(), features.end());
  std::sort(vars.begin(), vars.end());  // i;octet: bytewise
  std::string s;
  for (auto const& i : ids) {
    for (auto part : {i.category, i.type, i.lang}) {
      s += part;
      s += '/';
    }
    s += i.name;
    s += '<';
  }
  for (auto v : vars) {
    s += v;
    s += '<';
  }
  return s;
}

std::string format_caps(std::string_view node, std::string_view ver) {
  std::string out = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='";
  append_escaped(out, node);
  out += "' ver='";
  append_escaped(out, ver);
  out += "'/>";
  return out;
}

}  // namespace posta::jabber::proto
