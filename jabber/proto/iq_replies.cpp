// IQ results the c2s server answers itself (RFC 6120 7.6.1, 8.2.3; XEP-0030, XEP-0092, XEP-0199);
// the disco#info feature list also names XEP-0191, XEP-0054, XEP-0049 and XEP-0012.
#include "jabber/proto/iq_replies.hpp"

#include "jabber/proto/namespaces.hpp"
#include "jabber/proto/xml_escape.hpp"

#include <array>

namespace posta::jabber::proto {

namespace {

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += ' ';
  out += name;
  out += "='";
  append_escaped(out, value);
  out += '\'';
}

constexpr std::array<std::string_view, 11> features = {ns::disco_info,  ns::disco_items,   ns::ping,     ns::version,
                                                       ns::session,     ns::bind,          ns::blocking, ns::vcard,
                                                       ns::private_xml, ns::last_activity, ns::carbons};
constexpr std::array<disco_identity, 1> identities = {disco_identity{"server", "im", "", "Posta"}};

}  // namespace

std::string format_iq_result(std::string_view id, std::string_view to, std::string_view from,
                             std::string_view payload) {
  std::string out = "<iq type='result'";
  // An empty id is kept: a reply must carry the request's id (8.2.3).
  out += " id='";
  append_escaped(out, id);
  out += '\'';
  append_attribute(out, "to", to);
  append_attribute(out, "from", from);
  if (payload.empty()) return out + "/>";
  out += '>';
  out += payload;
  out += "</iq>";
  return out;
}

std::string format_bind_payload(std::string_view full_jid) {
  std::string out = "<bind xmlns='";
  out += ns::bind;
  out += "'><jid>";
  append_escaped(out, full_jid);
  out += "</jid></bind>";
  return out;
}

std::string format_disco_info_payload(std::span<std::string_view const> list, std::string_view node) {
  std::string out = "<query xmlns='";
  out += ns::disco_info;
  out += '\'';
  append_attribute(out, "node", node);
  out += '>';
  for (auto const& i : server_identities()) {
    out += "<identity";
    append_attribute(out, "category", i.category);
    append_attribute(out, "type", i.type);
    append_attribute(out, "xml:lang", i.lang);
    append_attribute(out, "name", i.name);
    out += "/>";
  }
  for (auto f : list) {
    out += "<feature var='";
    append_escaped(out, f);
    out += "'/>";
  }
  out += "</query>";
  return out;
}

std::string format_disco_items_payload() {
  std::string out = "<query xmlns='";
  out += ns::disco_items;
  out += "'/>";
  return out;
}

std::string format_version_payload(std::string_view name, std::string_view version) {
  std::string out = "<query xmlns='";
  out += ns::version;
  out += "'><name>";
  append_escaped(out, name);
  out += "</name><version>";
  append_escaped(out, version);
  out += "</version></query>";
  return out;
}

std::span<std::string_view const> server_features() {
  return features;
}

std::span<disco_identity const> server_identities() {
  return identities;
}

}  // namespace posta::jabber::proto
