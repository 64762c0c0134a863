// XEP-0280 eligibility (section 6.1) and copies (sections 7, 8).
#include "jabber/proto/carbons.hpp"

#include "jabber/proto/xml_escape.hpp"

namespace posta::jabber::proto {

bool is_carbon_eligible(carbon_facts const& m) {
  if (m.is_private || m.no_copy || m.is_carbon) return false;
  if (m.type == "chat") return true;
  return (m.type.empty() || m.type == "normal") && m.has_body;
}

std::string format_carbon(carbon_direction d, std::string_view account, std::string_view to, std::string_view type,
                          std::string_view original) {
  std::string out = "<message from='";
  append_escaped(out, account);
  out += "' to='";
  append_escaped(out, to);
  out += "'";
  if (!type.empty()) {
    out += " type='";
    append_escaped(out, type);
    out += "'";
  }
  out += d == carbon_direction::sent ? "><sent" : "><received";
  out += " xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>";
  out += original;
  out += d == carbon_direction::sent ? "</forwarded></sent></message>" : "</forwarded></received></message>";
  return out;
}

}  // namespace posta::jabber::proto
