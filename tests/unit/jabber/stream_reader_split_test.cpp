// The XML stream reader gives the same events whether its input arrives
// whole, byte by byte, or split in two at any point (RFC 6120 section 4.2: a
// stream is one XML document whose bytes arrive as TCP delivers them).
#include "jabber/xml/stream_reader.hpp"
#include "tests/unit/jabber/stream_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

using test::client_header;
using test::read_pieces;

std::vector<std::string> inputs() {
  std::string const h(client_header);
  return {
      h + "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>Conversations.x</resource>"
          "</bind></iq>\n <presence><show>away</show><status>caf\xC3\xA9 \xE2\x98\x95 &amp; &#x1F600;</status>"
          "</presence><message xmlns:p='urn:p' p:a='1' xml:lang='de'><body><![CDATA[a]]b]]></body></message>"
          "</stream:stream>",
      h + "<message><body>a &amp; b</body></message><message><bo\xC3\xA9"
          "dy/></message><message></iq>",
      h + "<message><body>\xF0\x9F\x98\x80\xE2\x82\xAC\xC3\xA9\xED\x9F\xBF</body></message><x>\xED\xA0\x80</x>",
      h + "<message>&lol;</message>",
      "<!DOCTYPE x [<!ENTITY a 'b'>]>" + h,
      "\xEF\xBB\xBF" + h + "<!-- c -->",
      h + "<message><a><b><c><d><e><f><g/></f></e></d></c></b></a></message>",
      h + "<iq a='1' b='2' c='3' d='4' e='5'/>",
      h + "<message><body>" + std::string(300, 'x') + "</body></message>",
      "<?xml version='1.0' encoding='latin1'?>" + h,
  };
}

reader_limits small_limits() {
  reader_limits l;
  l.max_stanza_bytes = 280;
  l.max_depth = 6;
  l.max_attributes = 4;
  return l;
}

class Splits : public ::testing::TestWithParam<std::string> {};

TEST_P(Splits, WholeByteByByteAndEverySplitAgree) {
  std::string_view const input = GetParam();
  stream_reader whole_reader(small_limits());
  auto const whole = read_pieces(whole_reader, {input});
  ASSERT_FALSE(whole.empty());

  stream_reader bytes_reader(small_limits());
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(read_pieces(bytes_reader, bytes), whole);

  for (std::size_t split = 0; split <= input.size(); ++split) {
    stream_reader r(small_limits());
    EXPECT_EQ(read_pieces(r, {input.substr(0, split), input.substr(split)}), whole) << "split at " << split;
  }
}

// The same with the parser freed after every piece (release_parser): a
// session does so before waiting for more input.
std::vector<std::string> read_releasing(stream_reader& reader, std::vector<std::string_view> const& pieces) {
  std::vector<std::string> out;
  for (auto p : pieces) {
    for (auto& s : test::describe(reader.feed(p))) out.push_back(std::move(s));
    reader.release_parser();
  }
  return out;
}

TEST_P(Splits, FreeingTheParserBetweenPiecesChangesNoEvent) {
  std::string_view const input = GetParam();
  stream_reader whole_reader(small_limits());
  auto const whole = read_pieces(whole_reader, {input});

  stream_reader bytes_reader(small_limits());
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(read_releasing(bytes_reader, bytes), whole);

  for (std::size_t split = 0; split <= input.size(); ++split) {
    stream_reader r(small_limits());
    EXPECT_EQ(read_releasing(r, {input.substr(0, split), input.substr(split)}), whole) << "split at " << split;
  }
}

INSTANTIATE_TEST_SUITE_P(StreamReader, Splits, ::testing::ValuesIn(inputs()));

}  // namespace
}  // namespace posta::jabber::xml
