// What the XML stream reader refuses, and with which stream error (RFC 6120
// sections 4.8.1-4.8.2, 4.9.3, 11.1 restricted XML, 11.6 UTF-8): malformed
// XML, DTDs, entities, billion laughs, comments, processing instructions,
// invalid UTF-8, undeclared prefixes, duplicate attributes, wrong namespaces.
#include "jabber/xml/stream_reader.hpp"
#include "tests/unit/jabber/stream_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

using test::client_header;

struct refusal {
  std::string name;
  std::string input;     // fed after client_header when `after_header`
  std::string expected;  // the stream error condition
  bool after_header = true;
};

std::string billion_laughs() {
  std::string s = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>";
  for (int i = 1; i < 10; ++i) {
    std::string const prev = i == 1 ? "lol" : "lol" + std::to_string(i - 1);
    s += "<!ENTITY lol" + std::to_string(i) + " '";
    for (int k = 0; k < 10; ++k) s += "&" + prev + ";";
    s += "'>";
  }
  return s + "]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>&lol9;";
}

std::string stanza_with(std::string_view body) {
  return "<message><body>" + std::string(body) + "</body></message>";
}

std::vector<refusal> refusals() {
  return {
      // Malformed XML (4.9.3.13 not-well-formed).
      {"mismatched end tag", "<message></iq>", "not-well-formed"},
      {"unclosed attribute quote", "<message to='a></message>", "not-well-formed"},
      {"lt in attribute value", "<message to='<'/>", "not-well-formed"},
      {"bare ampersand", stanza_with("a & b"), "not-well-formed"},
      {"junk before the header", "hello <stream:stream/>", "not-well-formed", false},
      {"second XML declaration", "<?xml version='1.0'?>", "not-well-formed"},
      {"DOCTYPE inside the stream", "<!DOCTYPE x>", "not-well-formed"},
      {"undeclared element prefix", "<message><foo:bar/></message>", "not-well-formed"},
      {"undeclared attribute prefix", "<message foo:a='1'/>", "not-well-formed"},
      {"duplicate attribute", "<message to='a@b' to='c@d'/>", "not-well-formed"},
      {"duplicate expanded attribute", "<message xmlns:a='urn:x' xmlns:b='urn:x' a:t='1' b:t='2'/>", "not-well-formed"},
      {"undeclaring a prefix", "<message xmlns:p=''/>", "not-well-formed"},
      {"rebinding xml", "<message xmlns:xml='urn:other'/>", "not-well-formed"},
      // Invalid UTF-8 and characters XML 1.0 forbids (11.6).
      {"overlong encoding", stanza_with("\xC0\xAF"), "not-well-formed"},
      {"surrogate", stanza_with("\xED\xA0\x80"), "not-well-formed"},
      {"above U+10FFFF", stanza_with("\xF4\x90\x80\x80"), "not-well-formed"},
      {"lone continuation byte", stanza_with("a\x80z"), "not-well-formed"},
      {"truncated sequence", stanza_with("\xE2\x82"), "not-well-formed"},
      {"byte FF", stanza_with("\xFF"), "not-well-formed"},
      {"noncharacter U+FFFE", stanza_with("\xEF\xBF\xBE"), "not-well-formed"},
      {"C0 control", stanza_with("\x01"), "not-well-formed"},
      {"NUL", std::string("<message><body>a\0b</body></message>", 35), "not-well-formed"},
      {"reference to a control", stanza_with("&#1;"), "not-well-formed"},
      {"reference to a surrogate", stanza_with("&#xD800;"), "not-well-formed"},
      {"invalid UTF-8 in an attribute", "<message to='\xC3'/>", "not-well-formed"},
      {"invalid UTF-8 in a name", "<mess\xE9ge/>", "not-well-formed"},
      {"invalid UTF-8 in the header",
       "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='\xFE'>",
       "not-well-formed", false},
      // Restricted XML (11.1, 4.9.3.18).
      {"DOCTYPE", "<!DOCTYPE stream>" + std::string(client_header), "restricted-xml", false},
      {"entity declaration", "<!DOCTYPE s [<!ENTITY a 'b'>]>" + std::string(client_header), "restricted-xml", false},
      {"external entity", "<!DOCTYPE s [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>", "restricted-xml", false},
      {"billion laughs", billion_laughs(), "restricted-xml", false},
      {"undefined entity reference", stanza_with("&lol;"), "restricted-xml"},
      {"entity reference in an attribute", "<message to='&lol;'/>", "restricted-xml"},
      {"comment before the header", "<!-- hi -->" + std::string(client_header), "restricted-xml", false},
      {"comment in a stanza", stanza_with("<!-- hi -->"), "restricted-xml"},
      {"comment between stanzas", "<!-- hi -->", "restricted-xml"},
      {"processing instruction before the header", "<?php x?>" + std::string(client_header), "restricted-xml", false},
      {"processing instruction in a stanza", stanza_with("<?foo bar?>"), "restricted-xml"},
      // Encodings (11.6, 4.9.3.22).
      {"declared Latin-1", "<?xml version='1.0' encoding='ISO-8859-1'?>", "unsupported-encoding", false},
      {"declared UTF-16", "<?xml version='1.0' encoding='UTF-16'?>", "unsupported-encoding", false},
      {"UTF-16 byte order mark", std::string("\xFF\xFE<\0s\0", 6), "unsupported-encoding", false},
      {"UTF-16BE without a byte order mark", std::string("\0<\0s", 4), "unsupported-encoding", false},
      {"UTF-16LE without a byte order mark", std::string("<\0s\0t\0", 6), "unsupported-encoding", false},
      // Namespaces of the stream header (4.8.1, 4.8.2, 4.9.3.10).
      {"root not in the stream namespace", "<stream xmlns='jabber:client'>", "invalid-namespace", false},
      {"wrong stream namespace", "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/stream'>",
       "invalid-namespace", false},
      {"no content namespace", "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", "invalid-namespace",
       false},
      {"server namespace on a client stream",
       "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>", "invalid-namespace",
       false},
      {"stream namespace as content namespace", "<stream xmlns='http://etherx.jabber.org/streams'>",
       "invalid-namespace", false},
      {"root not named stream",
       "<stream:streams xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>", "bad-format", false},
      // Text directly inside the stream (4.9.3.1 bad-format).
      {"text between stanzas", "<presence/>hello", "bad-format"},
  };
}

class Refusals : public ::testing::TestWithParam<refusal> {};

TEST_P(Refusals, EndWithTheRightStreamError) {
  auto const& r = GetParam();
  std::string const input = r.after_header ? std::string(client_header) + r.input : r.input;
  auto const events = test::read_whole(input);
  EXPECT_EQ(test::failure_of(events), r.expected) << ::testing::PrintToString(events);
}

INSTANTIATE_TEST_SUITE_P(StreamReader, Refusals, ::testing::ValuesIn(refusals()), [](auto const& info) {
  std::string n;
  for (char c : info.param.name) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
});

// The stanzas before the bad one were delivered; nothing after it.
TEST(StreamReader, FailureStopsTheStreamAfterTheGoodStanzas) {
  auto events = test::read_whole(std::string(client_header) + "<presence/><message><a></b></message><presence/>");
  EXPECT_EQ(events, (std::vector<std::string>{std::string(test::client_open),
                                              "stanza <presence xmlns='jabber:client'/>", "fail not-well-formed"}));
}

// expat resolves nothing in a DOCTYPE: the reader has stopped before the
// internal subset, so neither a billion laughs nor an external entity cost
// anything (the payload is refused within its first bytes).
TEST(StreamReader, BillionLaughsIsRefusedBeforeAnyExpansion) {
  stream_reader r(reader_limits{});
  auto const payload = billion_laughs();
  auto events = test::describe(r.feed(payload));
  EXPECT_EQ(events, std::vector<std::string>{"fail restricted-xml"});
  EXPECT_LE(r.bytes_parsed(), payload.size());

  // The refusal comes with the '[' that opens the internal subset, before
  // any declaration in it has arrived.
  stream_reader opening(reader_limits{});
  EXPECT_EQ(test::describe(opening.feed("<?xml version='1.0'?><!DOCTYPE lolz [")),
            std::vector<std::string>{"fail restricted-xml"});
}

}  // namespace
}  // namespace posta::jabber::xml
