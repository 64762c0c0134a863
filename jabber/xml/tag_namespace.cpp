// Namespaces on gloox Tags, declared only where needed (XML Namespaces 1.0
// sections 3, 6).
#include "jabber/xml/tag_namespace.hpp"

namespace posta::jabber::xml {

bool set_default_namespace(gloox::Tag& tag, std::string const& uri, bool declare) {
  // gloox's addAttribute(name, value) drops empty values; this form keeps them.
  if (uri.empty()) return !declare || tag.addAttribute(new gloox::Tag::Attribute("xmlns", ""));
  if (!tag.setXmlns(uri)) return false;
  if (!declare) tag.removeAttribute("xmlns");
  return true;
}

bool set_prefix_namespace(gloox::Tag& tag, std::string const& prefix, std::string const& uri, bool declare) {
  if (!tag.setXmlns(uri, prefix)) return false;
  if (!declare) tag.removeAttribute("xmlns:" + prefix);
  return true;
}

}  // namespace posta::jabber::xml
