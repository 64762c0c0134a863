// stream_reader::release_parser(): the parser of an idle stream is freed
// between stanzas only, and the new one resolves every name as the stream
// header declared it (XML Namespaces 1.0 section 6: declarations on the root
// are in scope for the whole document), the end tag included.
#include "jabber/xml/stream_reader.hpp"
#include "tests/unit/jabber/stream_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

using test::client_header;
using test::describe;
using test::feed;

TEST(StreamReaderRelease, OnlyBetweenStanzasOfAnOpenStream) {
  stream_reader r(reader_limits{});
  EXPECT_FALSE(r.release_parser());  // no header yet
  feed(r, std::string(client_header).substr(0, 30));
  EXPECT_FALSE(r.release_parser());
  feed(r, std::string(client_header).substr(30));
  EXPECT_TRUE(r.release_parser());
  EXPECT_FALSE(r.release_parser());  // already freed
  feed(r, "<message><body>half");
  EXPECT_FALSE(r.release_parser());  // inside a stanza
  EXPECT_EQ(feed(r, "</body></message>"),
            std::vector<std::string>{"stanza <message xmlns='jabber:client'><body>half</body></message>"});
  EXPECT_TRUE(r.release_parser());
  feed(r, "<presence");
  EXPECT_FALSE(r.release_parser());  // inside a start tag expat holds
  feed(r, "/> \r");
  EXPECT_FALSE(r.release_parser());  // a CR expat holds back (it may begin CR LF)
  feed(r, "\n");
  EXPECT_TRUE(r.release_parser());
  EXPECT_EQ(feed(r, "</stream:stream>"), std::vector<std::string>{"close"});
  EXPECT_FALSE(r.release_parser());  // finished
}

// A header with its own prefixes: another stream prefix, a prefix for a
// payload namespace and a namespace name that needs escaping in a start tag.
constexpr std::string_view prefixed_header =
    "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client' to='example.com' version='1.0' "
    "xmlns:p='urn:x:&amp;&lt;&apos;&quot;&#9;&#10;&#13;>y'>";

constexpr std::string_view stanzas =
    "<message to='a@example.com'><p:x p:a='1'/><body>hi</body></message>"
    "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>"
    "<p:y/>";

TEST(StreamReaderRelease, NewParserKnowsTheHeadersNamespaces) {
  stream_reader kept(reader_limits{});
  auto const expected = describe(kept.feed(std::string(prefixed_header) + std::string(stanzas) + "</s:stream>"));
  ASSERT_EQ(expected.size(), 5u);
  EXPECT_EQ(expected[4], "close");

  stream_reader r(reader_limits{});
  std::vector<std::string> got = feed(r, prefixed_header);
  EXPECT_TRUE(r.release_parser());
  for (auto& e : feed(r, stanzas)) got.push_back(e);
  EXPECT_TRUE(r.release_parser());
  for (auto& e : feed(r, "</s:stream>")) got.push_back(e);
  EXPECT_EQ(got, expected);
}

TEST(StreamReaderRelease, TheWrongEndTagIsStillRefused) {
  stream_reader r(reader_limits{});
  feed(r, prefixed_header);
  EXPECT_TRUE(r.release_parser());
  EXPECT_EQ(test::failure_of(feed(r, "</stream:stream>")), "not-well-formed");
}

// The bounds count the stream's bytes, not the new parser's.
TEST(StreamReaderRelease, BoundsCountFromTheSamePlace) {
  reader_limits l;
  l.max_stanza_bytes = 200;  // the header fits too
  std::string const fits = "<message><body>" + std::string(200 - 32, 'x') + "</body></message>";
  ASSERT_EQ(fits.size(), 200u);
  stream_reader r(l);
  feed(r, client_header);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(r.release_parser());
    EXPECT_EQ(feed(r, fits).size(), 1u);
  }
  EXPECT_TRUE(r.release_parser());
  EXPECT_EQ(test::failure_of(feed(r, "<message><body>" + std::string(201 - 32, 'x') + "</body></message>")),
            "policy-violation");
}

TEST(StreamReaderRelease, ResetAfterReleaseExpectsANewHeader) {
  stream_reader r(reader_limits{});
  feed(r, client_header);
  EXPECT_TRUE(r.release_parser());
  r.reset();
  EXPECT_EQ(feed(r, client_header), std::vector<std::string>{std::string(test::client_open)});
}

}  // namespace
}  // namespace posta::jabber::xml
