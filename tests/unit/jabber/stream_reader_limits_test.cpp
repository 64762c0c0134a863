// The XML stream reader's bounds (reader_limits.hpp, RFC 6120 sections
// 4.9.3.14, 13.12): each one accepts input exactly at the bound and refuses
// one past it with policy-violation, without holding the oversized input.
#include "jabber/xml/stream_reader.hpp"
#include "tests/unit/jabber/stream_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

using test::client_header;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

// The last event after feeding the header then `stanza`.
std::string outcome(std::string const& stanza, reader_limits limits) {
  auto events = test::read_whole(std::string(client_header) + stanza, limits);
  return events.empty() ? "nothing" : events.back().substr(0, events.back().find(' '));
}

// "<message><body>xxx</body></message>" of exactly `bytes` bytes.
std::string message_of_size(std::size_t bytes) {
  std::string const shell = "<message><body></body></message>";
  return "<message><body>" + std::string(bytes - shell.size(), 'x') + "</body></message>";
}

TEST(StreamReaderLimits, StanzaBytes) {
  reader_limits l;
  l.max_stanza_bytes = 200;
  EXPECT_EQ(outcome(message_of_size(200), l), "stanza");
  EXPECT_EQ(outcome(message_of_size(201), l), "fail");
  EXPECT_EQ(outcome(message_of_size(200) + message_of_size(200), l), "stanza");
  EXPECT_EQ(outcome("<message to='" + std::string(300, 'a') + "'/>", l), "fail");
}

TEST(StreamReaderLimits, Depth) {
  reader_limits l;
  l.max_depth = 5;
  EXPECT_EQ(outcome("<a><b><c><d><e/></d></c></b></a>", l), "stanza");
  EXPECT_EQ(outcome("<a><b><c><d><e><f/></e></d></c></b></a>", l), "fail");
}

TEST(StreamReaderLimits, ElementsPerStanza) {
  reader_limits l;
  l.max_elements = 4;
  EXPECT_EQ(outcome("<iq><a/><b/><c/></iq><iq><a/><b/><c/></iq>", l), "stanza");
  EXPECT_EQ(outcome("<iq><a/><b/><c/><d/></iq>", l), "fail");
}

TEST(StreamReaderLimits, AttributesPerElement) {
  reader_limits l;
  l.max_attributes = 3;
  EXPECT_EQ(outcome("<iq a='1' b='2' c='3' xmlns:p='urn:p'/>", l), "stanza");
  EXPECT_EQ(outcome("<iq a='1' b='2' c='3' d='4'/>", l), "fail");
}

TEST(StreamReaderLimits, AttributeValueBytes) {
  reader_limits l;
  l.max_attribute_bytes = 11;  // to='example.com' in the header
  EXPECT_EQ(outcome("<iq id='0123456789a'/>", l), "stanza");
  EXPECT_EQ(outcome("<iq id='0123456789ab'/>", l), "fail");
  EXPECT_EQ(outcome("<iq id='&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;'/>", l), "stanza");  // decoded
}

TEST(StreamReaderLimits, TextBytes) {
  reader_limits l;
  l.max_text_bytes = 10;
  EXPECT_EQ(outcome("<message><body>0123456789</body><x>0123456789</x></message>", l), "stanza");
  EXPECT_EQ(outcome("<message><body>0123456789a</body></message>", l), "fail");
  EXPECT_EQ(outcome("<message><body>01234<![CDATA[56789a]]></body></message>", l), "fail");
}

TEST(StreamReaderLimits, StreamHeaderCountsAgainstTheStanzaBound) {
  reader_limits l;
  l.max_stanza_bytes = client_header.size();
  EXPECT_EQ(test::failure_of(test::read_whole(client_header, l)), "none");
  l.max_stanza_bytes = client_header.size() - 1;
  EXPECT_EQ(test::failure_of(test::read_whole(client_header, l)), "policy-violation");
}

// A 10 MB stanza, as one piece and as 64 KiB reads: refused on the first
// byte past the bound, which is the last one expat was given.
TEST(StreamReaderLimits, TenMegabyteStanzaIsRefusedAtTheBound) {
  auto const limits = limits_for_stanza_kb(256);
  std::string const big = "<message><body>" + std::string(10'000'000, 'a') + "</body></message>";
  for (std::size_t read : {big.size(), std::size_t{65536}}) {
    stream_reader r(limits);
    r.feed(client_header);
    std::vector<std::string> events;
    for (std::size_t at = 0; at < big.size() && !r.is_finished(); at += read) {
      events = test::describe(r.feed(std::string_view(big).substr(at, read)));
    }
    EXPECT_EQ(test::failure_of(events), "policy-violation");
    EXPECT_EQ(r.bytes_parsed(), client_header.size() + limits.max_stanza_bytes + 1) << read;
  }
}

// The same for an endless start tag: expat holds an unfinished token whole,
// so the tag bound stops it long before the stanza bound would.
TEST(StreamReaderLimits, EndlessStartTagIsRefusedAtTheTagBound) {
  reader_limits const limits;
  stream_reader r(limits);
  r.feed(client_header);
  auto events = test::describe(r.feed("<message to='" + std::string(10'000'000, 'a')));
  EXPECT_EQ(events, std::vector<std::string>{"fail policy-violation"});
  EXPECT_EQ(r.bytes_parsed(), client_header.size() + limits.max_tag_bytes + 1);
}

TEST(StreamReaderLimits, TenThousandNestedElementsAreRefusedAtTheDepthBound) {
  reader_limits const limits;
  stream_reader r(limits);
  r.feed(client_header);
  auto events = test::describe(r.feed("<message>" + repeat("<a>", 10'000)));
  EXPECT_EQ(events, std::vector<std::string>{"fail policy-violation"});
}

// Character data is reported as it arrives, so long text fed in small reads
// never looks like an unfinished tag; a start tag just under the tag bound,
// fed byte by byte, passes.
TEST(StreamReaderLimits, TagBoundCountsOnlyUnfinishedMarkup) {
  reader_limits l;
  l.max_tag_bytes = 1024;
  for (std::string body : {std::string(100'000, 'x'), "<![CDATA[" + std::string(100'000, 'x') + "]]>"}) {
    stream_reader r(l);
    r.feed(client_header);
    std::string const stanza = "<message><body>" + body + "</body></message>";
    std::vector<std::string> events;
    for (std::size_t at = 0; at < stanza.size(); at += 100) {
      for (auto& e : test::describe(r.feed(std::string_view(stanza).substr(at, 100)))) events.push_back(e);
    }
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].substr(0, 7), "stanza ");
  }
  stream_reader r(l);
  r.feed(client_header);
  std::string const tag = "<message to='" + std::string(1000, 'a') + "'/>";
  std::vector<std::string> events;
  for (char c : tag) events = test::describe(r.feed(std::string_view(&c, 1)));
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(test::failure_of(events), "none");
}

// A tag over the bound is refused whether it arrived whole or in pieces, and
// so is any other markup (a comment here, restricted anyway).
TEST(StreamReaderLimits, TagBoundHoldsForCompleteTagsAndAnyMarkup) {
  reader_limits l;
  l.max_tag_bytes = 100;
  for (std::string stanza : {"<message to='" + std::string(100, 'a') + "'/>", "<!--" + std::string(100, 'c') + "-->"}) {
    std::string const input = std::string(client_header) + stanza;
    EXPECT_EQ(test::failure_of(test::read_whole(input, l)), "policy-violation");
    stream_reader r(l);
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(std::string_view(input).substr(i, 1));
    EXPECT_EQ(test::failure_of(test::read_pieces(r, bytes)), "policy-violation");
  }
  l.max_tag_bytes = client_header.size();  // the header is one tag (with the declaration before it)
  EXPECT_EQ(test::failure_of(test::read_whole(client_header, l)), "none");
}

}  // namespace
}  // namespace posta::jabber::xml
