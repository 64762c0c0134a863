// XML escaping of what Posta writes itself (XML 1.0 sections 2.4, 3.1).
#include "core/util/xml_escape.hpp"

#include <gtest/gtest.h>

namespace posta::util {
namespace {

TEST(XmlEscape, MarkupQuotesAndWhitespaceControls) {
  EXPECT_EQ(xml_escaped("a<b>&'\"c"), "a&lt;b&gt;&amp;&apos;&quot;c");
  EXPECT_EQ(xml_escaped("x\ty\nz\r"), "x&#9;y&#10;z&#13;");
  EXPECT_EQ(xml_escaped(std::string("a\x01\x1F"
                                    "b\0c",
                                    6)),
            "abc");
  EXPECT_EQ(xml_escaped("caf\xC3\xA9 ]]>"), "caf\xC3\xA9 ]]&gt;");
}

// Found by the XMPP vCard fuzzer: U+FFFE and U+FFFF are UTF-8 but no XML
// characters; a display name holding one made the whole vCard unreadable.
TEST(XmlEscape, NoncharactersDropped) {
  EXPECT_EQ(xml_escaped("a\xEF\xBF\xBE"
                        "b\xEF\xBF\xBF"
                        "c"),
            "abc");
  EXPECT_EQ(xml_escaped("\xEF\xBF\xBD\xEF\xBF"), "\xEF\xBF\xBD\xEF\xBF");  // U+FFFD stays; a cut sequence is copied
}

}  // namespace
}  // namespace posta::util
