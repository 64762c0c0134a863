// Whole XML documents from clients (WebDAV/CardDAV request bodies, RFC 4918
// and 6352), parsed with expat into a small namespace-aware tree, with the
// bounds and refusals hostile input needs: no DTD (so no entity can expand),
// valid UTF-8 only, bounded bytes, depth, elements and attributes. The XMPP
// stream (jabber/xml) keeps its own incremental expat reader: a stream is not
// a document.
#pragma once

#include "core/util/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posta::xml {

struct attribute {
  std::string ns;  // namespace URI; "" for an unprefixed attribute
  std::string name;
  std::string value;
};

struct element {
  std::string ns;    // namespace URI ("DAV:", "urn:ietf:params:xml:ns:carddav"); "" for none
  std::string name;  // local name
  std::vector<attribute> attributes;
  std::vector<element> children;
  std::string text;  // the character data directly inside, concatenated

  bool is(std::string_view ns_uri, std::string_view local) const { return ns == ns_uri && name == local; }
  element const* child(std::string_view ns_uri, std::string_view local) const;  // the first, or null
  std::vector<element const*> children_named(std::string_view ns_uri, std::string_view local) const;
  std::string_view attribute_value(std::string_view local) const;  // unprefixed attribute, or ""
};

// SECURITY: a document past one of these is refused (errc::limit_exceeded).
struct document_limits {
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_depth = 32;
  std::size_t max_elements = 20'000;
  std::size_t max_attributes = 32;  // per element
};

// The root element. errc::invalid_argument for what is not well-formed,
// carries a DOCTYPE, or is not UTF-8; errc::limit_exceeded past `limits`.
result<element> parse_document(std::string_view text, document_limits const& limits = {});

}  // namespace posta::xml
