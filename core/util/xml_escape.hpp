// XML (and HTML) escaping of text and attribute values for what Posta writes
// itself (XML 1.0 section 2.4 character data, section 3.1 attribute values):
// XMPP stanzas, signatures, later CardDAV and WebDAV bodies.
#pragma once

#include <string>
#include <string_view>

namespace posta::util {

// Appends `text` with & < > ' " escaped, so it is safe both as character data
// and inside a quoted attribute value. CR, LF and TAB become character
// references: a receiving parser would otherwise normalise them (XML 1.0
// sections 2.11 and 3.3.3). Other C0 controls cannot appear in XML 1.0 at all
// and are dropped, as are U+FFFE and U+FFFF (2.2). `text` is expected to be
// UTF-8; other bytes >= 0x80 are copied.
void append_xml_escaped(std::string& out, std::string_view text);

std::string xml_escaped(std::string_view text);

}  // namespace posta::util
