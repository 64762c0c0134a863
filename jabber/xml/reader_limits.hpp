// The bounds of the XML stream reader: every one a parameter, each refused
// with a policy-violation stream error (RFC 6120 sections 4.9.3.14, 13.12).
#pragma once

#include <cstddef>

namespace posta::jabber::xml {

struct reader_limits {
  // SECURITY: one stanza, from its '<' to the end of its end tag, and also
  // the stream header with what precedes it. RFC 6120 section 13.12: at least
  // 10,000 bytes must be accepted. The setting xmpp.max_stanza_kb.
  std::size_t max_stanza_bytes = 256 * 1024;
  // SECURITY: elements nested inside one stanza (the stanza itself is 1).
  std::size_t max_depth = 64;
  // SECURITY: elements in one stanza. Each becomes a gloox::Tag of a few
  // hundred bytes, so the byte bound alone would let "<a/>" repeated turn
  // 256 KiB of input into tens of MiB of objects.
  std::size_t max_elements = 4096;
  // SECURITY: attributes of one element (namespace declarations excluded).
  std::size_t max_attributes = 64;
  // SECURITY: one attribute value, decoded. A full JID is at most 3071 bytes.
  std::size_t max_attribute_bytes = 4096;
  // SECURITY: one run of character data, decoded.
  std::size_t max_text_bytes = 256 * 1024;
  // SECURITY: one unfinished markup token, in practice one start tag with its
  // attributes. expat 2.5 (Debian 12; the reparse deferral of 2.6 is not in
  // it) scans an unfinished token again on every call, so a start tag fed in
  // tiny pieces costs time quadratic in its length: this bounds each rescan.
  std::size_t max_tag_bytes = 16 * 1024;
};

// The limits for the runtime setting xmpp.max_stanza_kb: the stanza and text
// bounds follow it, the others keep their defaults.
inline reader_limits limits_for_stanza_kb(std::size_t max_stanza_kb) {
  reader_limits limits;
  limits.max_stanza_bytes = max_stanza_kb * 1024;
  limits.max_text_bytes = limits.max_stanza_bytes;
  return limits;
}

}  // namespace posta::jabber::xml
