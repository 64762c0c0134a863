// gloox's Tag::xml() is the serialiser of what the reader builds (no other is
// written): checks that it escapes what XML requires, and where it loses
// information, so that nobody relies on what it cannot do.
#include "jabber/xml/stream_reader.hpp"
#include "tests/unit/jabber/stream_events.hpp"

#include <gloox/tag.h>
#include <gtest/gtest.h>

namespace posta::jabber::xml {
namespace {

std::unique_ptr<gloox::Tag> reparse(std::string const& stanza_xml) {
  stream_reader r(reader_limits{});
  r.feed(test::client_header);
  auto events = r.feed(stanza_xml);
  if (events.size() != 1 || !std::holds_alternative<stanza_received>(events[0])) return nullptr;
  return std::move(std::get<stanza_received>(events[0]).tag);
}

TEST(GlooxSerialisation, EscapesMarkupCharactersInTextAndAttributes) {
  gloox::Tag t("message");
  t.addAttribute("id", "a'b\"c<d>e&f");
  t.addCData("x < y && z > w ]]> 'q' \"r\"");
  EXPECT_EQ(t.xml(),
            "<message id='a&apos;b&quot;c&lt;d&gt;e&amp;f'>"
            "x &lt; y &amp;&amp; z &gt; w ]]&gt; &apos;q&apos; &quot;r&quot;</message>");
  auto back = reparse(t.xml());
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->findAttribute("id"), "a'b\"c<d>e&f");
  EXPECT_EQ(back->cdata(), "x < y && z > w ]]> 'q' \"r\"");
}

// What the reader yields, written back and read again, is the same XML.
TEST(GlooxSerialisation, ReaderOutputRoundTrips) {
  std::string const in =
      "<message xmlns='jabber:client' xmlns:p='urn:p' p:a='1&amp;2' xml:lang='en'><body>&lt;&gt;&amp;&apos;&quot;"
      "\xE2\x98\x95</body><x xmlns='urn:x'><y xmlns=''/></x></message>";
  auto once = reparse(in);
  ASSERT_NE(once, nullptr);
  auto twice = reparse(once->xml());
  ASSERT_NE(twice, nullptr);
  EXPECT_EQ(twice->xml(), once->xml());
}

// gloox silently drops text or attribute values holding characters XML 1.0
// forbids, instead of escaping or refusing them: callers that build Tags
// from untrusted strings must check addCData/addAttribute's result.
TEST(GlooxSerialisation, DropsForbiddenCharactersSilently) {
  gloox::Tag t("message");
  EXPECT_FALSE(t.addAttribute("id", std::string("a\x01")));
  EXPECT_FALSE(t.addCData(std::string("b\x02")));
  EXPECT_EQ(t.xml(), "<message/>");
}

// gloox writes CR, LF and TAB raw, so a receiving parser normalises them
// (XML 1.0 sections 2.11, 3.3.3): "&#13;" in text comes back as LF... and in
// attribute values all three come back as spaces.
TEST(GlooxSerialisation, WhitespaceReferencesDoNotSurviveAWriteAndRead) {
  auto once = reparse("<message id='a&#10;b&#9;c'><body>x&#13;y</body></message>");
  ASSERT_NE(once, nullptr);
  EXPECT_EQ(once->findAttribute("id"), "a\nb\tc");
  auto twice = reparse(once->xml());
  ASSERT_NE(twice, nullptr);
  EXPECT_EQ(twice->findAttribute("id"), "a b c");
  EXPECT_EQ(twice->findChild("body")->cdata(), "x\ny");
}

}  // namespace
}  // namespace posta::jabber::xml
