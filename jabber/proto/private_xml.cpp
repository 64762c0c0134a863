// XEP-0049 private XML storage: reserved namespaces, request checks, payload.
#include "jabber/proto/private_xml.hpp"

#include "jabber/proto/namespaces.hpp"

namespace posta::jabber::proto {

bool is_reserved_private_namespace(std::string_view ns) {
  return ns.starts_with("jabber:") || ns.starts_with("http://jabber.org/") || ns == ns::vcard;
}

namespace {

bool any_reserved(std::vector<private_element> const& children) {
  for (auto const& c : children)
    if (c.ns.empty() || is_reserved_private_namespace(c.ns)) return true;
  return false;
}

}  // namespace

private_request_error check_private_get(std::vector<private_element> const& children) {
  if (children.size() != 1 || any_reserved(children)) return private_request_error::not_acceptable;
  return private_request_error::none;
}

private_request_error check_private_set(std::vector<private_element> const& children) {
  if (children.empty() || any_reserved(children)) return private_request_error::not_acceptable;
  return private_request_error::none;
}

std::map<std::string, std::string> group_by_namespace(std::vector<private_element> const& children) {
  std::map<std::string, std::string> out;
  for (auto const& c : children) out[c.ns] += c.xml;
  return out;
}

std::string format_private_query(std::string_view fragment) {
  std::string out = "<query xmlns='";
  out += ns::private_xml;
  out += "'>";
  out += fragment;
  out += "</query>";
  return out;
}

}  // namespace posta::jabber::proto
