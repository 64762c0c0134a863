// The XML stream reader on what clients send (RFC 6120 sections 4.2-4.4,
// 4.7, 5.3.4, 6.4.6): a Gajim/Conversations-like login with its STARTTLS
// and SASL restarts, the namespaces of every element, and the close.
#include "jabber/xml/stream_reader.hpp"

#include "tests/unit/jabber/stream_events.hpp"

#include <gtest/gtest.h>

#include <string>

namespace posta::jabber::xml {
namespace {

using test::client_header;
using test::client_open;
using test::describe;
using test::feed;

TEST(StreamReader, LoginWithStarttlsAndSaslRestarts) {
  stream_reader r(reader_limits{});
  EXPECT_EQ(feed(r, client_header), std::vector<std::string>{std::string(client_open)});
  EXPECT_EQ(feed(r, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
            std::vector<std::string>{"stanza <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"});

  r.reset();  // TLS is up: a new stream header follows
  EXPECT_EQ(feed(r, client_header), std::vector<std::string>{std::string(client_open)});
  EXPECT_EQ(
      feed(r, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>biwsbj11c2VyLHI9YWJj</auth>"),
      std::vector<std::string>{"stanza <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
                               "biwsbj11c2VyLHI9YWJj</auth>"});

  r.reset();  // SASL success
  EXPECT_EQ(feed(r, client_header), std::vector<std::string>{std::string(client_open)});
  EXPECT_EQ(
      feed(r,
           "<iq type='set' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
           "<resource>gajim.X1</resource></bind></iq>\n"
           "<presence><priority>0</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
           "node='https://gajim.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>\n"),
      (std::vector<std::string>{
          "stanza <iq xmlns='jabber:client' type='set' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
          "<resource>gajim.X1</resource></bind></iq>",
          "stanza <presence xmlns='jabber:client'><priority>0</priority><c xmlns='http://jabber.org/protocol/caps' "
          "hash='sha-1' node='https://gajim.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>"}));
  EXPECT_EQ(feed(r, " </stream:stream>"), std::vector<std::string>{"close"});
  EXPECT_TRUE(r.is_finished());
  EXPECT_TRUE(r.feed("<presence/>").empty());
}

TEST(StreamReader, EveryElementKnowsItsNamespace) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = r.feed(
      "<message to='bob@example.com' type='chat' id='m1' xml:lang='en'><body>Hi &amp; &lt;welcome&gt;</body>"
      "<active xmlns='http://jabber.org/protocol/chatstates'/><x xmlns='urn:x'><y/></x></message>");
  ASSERT_EQ(events.size(), 1u);
  auto const& tag = *std::get<stanza_received>(events[0]).tag;
  EXPECT_EQ(tag.name(), "message");
  EXPECT_EQ(tag.xmlns(), "jabber:client");
  EXPECT_EQ(tag.findAttribute("to"), "bob@example.com");
  EXPECT_EQ(tag.findAttribute("xml:lang"), "en");
  auto const* body = tag.findChild("body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->xmlns(), "jabber:client");
  EXPECT_EQ(body->cdata(), "Hi & <welcome>");
  EXPECT_EQ(tag.findChild("active")->xmlns(), "http://jabber.org/protocol/chatstates");
  EXPECT_EQ(tag.findChild("x")->findChild("y")->xmlns(), "urn:x");
  EXPECT_EQ(tag.xml(),
            "<message xmlns='jabber:client' to='bob@example.com' type='chat' id='m1' xml:lang='en'>"
            "<body>Hi &amp; &lt;welcome&gt;</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
            "<x xmlns='urn:x'><y/></x></message>");
}

TEST(StreamReader, PrefixedElementsBecomeDefaultNamespaced) {
  stream_reader r(reader_limits{}, "jabber:server");
  auto events =
      describe(r.feed("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
                      "xmlns:db='jabber:server:dialback' from='a.example' to='b.example' id='s1' version='1.0'>"
                      "<db:result from='a.example' to='b.example'>key</db:result><stream:features/>"
                      "<r:query xmlns:r='jabber:iq:roster'><r:item jid='x@y'/><item/></r:query>"));
  EXPECT_EQ(events,
            (std::vector<std::string>{
                "open to=b.example from=a.example id=s1 version=1.0 lang= ns=jabber:server "
                "db=jabber:server:dialback",
                "stanza <result xmlns='jabber:server:dialback' from='a.example' to='b.example'>key</result>",
                "stanza <features xmlns='http://etherx.jabber.org/streams'/>",
                "stanza <query xmlns='jabber:iq:roster'><item jid='x@y'/><item xmlns='jabber:server'/></query>"}));
}

TEST(StreamReader, NamespacedAttributesKeepTheirQualifiedName) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = r.feed("<message xmlns:p='urn:p' p:from='evil@example.com' from='me@example.com' p:to='x'/>");
  ASSERT_EQ(events.size(), 1u);
  auto const& tag = *std::get<stanza_received>(events[0]).tag;
  EXPECT_EQ(tag.findAttribute("from"), "me@example.com");
  EXPECT_FALSE(tag.hasAttribute("to"));
  EXPECT_EQ(tag.findAttribute("p:to"), "x");
  EXPECT_EQ(
      tag.xml(),
      "<message xmlns='jabber:client' xmlns:p='urn:p' p:from='evil@example.com' from='me@example.com' p:to='x'/>");
}

TEST(StreamReader, UndeclaredDefaultNamespaceIsWrittenBack) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = describe(r.feed("<iq xmlns='urn:a'><q xmlns=''><r/></q></iq><message xmlns=''/>"));
  EXPECT_EQ(events, (std::vector<std::string>{"stanza <iq xmlns='urn:a'><q xmlns=''><r/></q></iq>",
                                              "stanza <message xmlns=''/>"}));
}

// Found by the fuzzer: the XML namespace cannot be declared as a default one.
TEST(StreamReader, ElementsInTheXmlNamespaceKeepTheirPrefix) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = r.feed("<message><xml:x><body/></xml:x></message>");
  ASSERT_EQ(events.size(), 1u);
  auto const& tag = *std::get<stanza_received>(events[0]).tag;
  EXPECT_EQ(tag.xml(), "<message xmlns='jabber:client'><xml:x><body xmlns='jabber:client'/></xml:x></message>");
  EXPECT_EQ(tag.findChild("x")->xmlns(), "http://www.w3.org/XML/1998/namespace");
  EXPECT_EQ(describe(r.feed("<xml:y/>")), std::vector<std::string>{"stanza <xml:y/>"});
}

TEST(StreamReader, WhitespaceKeepalivesAndEmptyAttributes) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  EXPECT_TRUE(r.feed(" \n\t \r\n").empty());
  EXPECT_EQ(describe(r.feed("<iq id='' type='get'/> ")),
            std::vector<std::string>{"stanza <iq xmlns='jabber:client' id='' type='get'/>"});
}

TEST(StreamReader, CdataSectionsAndCharacterReferencesAreText) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = r.feed("<message><body><![CDATA[<b>&</b>]]> &#x263A;&#65;</body></message>");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<stanza_received>(events[0]).tag->findChild("body")->cdata(),
            "<b>&</b> \xE2\x98\xBA"
            "A");
}

TEST(StreamReader, HeaderAttributesAndUtf8ByteOrderMark) {
  auto events = test::read_whole(
      "\xEF\xBB\xBF<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='juliet@im.example.com' to='im.example.com' version='1.0' xml:lang='fr' id='x' lang='ignored'>");
  EXPECT_EQ(events, std::vector<std::string>{
                        "open to=im.example.com from=juliet@im.example.com id=x version=1.0 lang=fr ns=jabber:client"});
}

TEST(StreamReader, AnyPrefixMayNameTheStreamNamespace) {
  auto events = test::read_whole(
      "<s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client'>"
      "<presence/></s:stream>");
  EXPECT_EQ(events, (std::vector<std::string>{"open to= from= id= version= lang= ns=jabber:client",
                                              "stanza <presence xmlns='jabber:client'/>", "close"}));
}

// SECURITY: what followed <starttls/> in the same read was sent in plaintext;
// after reset() none of it may surface in the TLS stream.
TEST(StreamReader, ResetDropsWhatWasPipelinedBeforeTheRestart) {
  stream_reader r(reader_limits{});
  r.feed(client_header);
  auto events = describe(r.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message to='x@y'><bo"));
  EXPECT_EQ(events.size(), 1u);
  r.reset();
  EXPECT_EQ(describe(r.feed(client_header)), std::vector<std::string>{std::string(client_open)});
  EXPECT_EQ(describe(r.feed("dy>x</body></message>")), std::vector<std::string>{"fail bad-format"});
}

TEST(StreamReader, ResetAfterFailureStartsAgain) {
  stream_reader r(reader_limits{});
  EXPECT_EQ(describe(r.feed("<junk")), std::vector<std::string>{});
  EXPECT_EQ(describe(r.feed("/><")), std::vector<std::string>{"fail invalid-namespace"});
  EXPECT_TRUE(r.is_finished());
  r.reset();
  EXPECT_FALSE(r.is_finished());
  EXPECT_EQ(r.bytes_parsed(), 0u);
  EXPECT_EQ(describe(r.feed(client_header)), std::vector<std::string>{std::string(client_open)});
}

}  // namespace
}  // namespace posta::jabber::xml
