// Stream errors (RFC 6120 section 4.9) and stanza errors (8.3) as bytes and
// as gloox Tags: the same XML either way, every condition named as the RFC
// names it, text escaped.
#include "jabber/proto/stanza_error.hpp"
#include "jabber/proto/stream_error.hpp"
#include "jabber/xml/error_tags.hpp"
#include "jabber/xml/stream_reader.hpp"

#include <gtest/gtest.h>

namespace posta::jabber {
namespace {

using proto::stanza_condition;
using proto::stream_condition;

TEST(StreamError, Bytes) {
  EXPECT_EQ(proto::format_stream_error(stream_condition::not_well_formed),
            "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
  EXPECT_EQ(proto::format_stream_error_and_close(stream_condition::policy_violation, "stanza > 256 KiB & more"),
            "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>stanza &gt; 256 KiB &amp; more</text>"
            "</stream:error></stream:stream>");
}

TEST(StreamError, EveryConditionRoundTripsByName) {
  for (int i = 0; i <= static_cast<int>(stream_condition::unsupported_version); ++i) {
    auto const c = static_cast<stream_condition>(i);
    EXPECT_EQ(proto::parse_stream_condition(proto::condition_name(c)), c);
  }
  EXPECT_EQ(proto::condition_name(stream_condition::see_other_host), "see-other-host");
  EXPECT_FALSE(proto::parse_stream_condition("not-a-condition"));
}

TEST(StreamError, TagIsTheSameXml) {
  for (std::string text : {"", "a <b> & 'c'"}) {
    auto tag = xml::make_stream_error_tag(stream_condition::restricted_xml, text);
    EXPECT_EQ(tag->xml(), proto::format_stream_error(stream_condition::restricted_xml, text));
    EXPECT_EQ(tag->xmlns(), "http://etherx.jabber.org/streams");
    EXPECT_EQ(tag->findChild("restricted-xml")->xmlns(), "urn:ietf:params:xml:ns:xmpp-streams");
  }
}

TEST(StanzaError, Bytes) {
  EXPECT_EQ(proto::format_stanza_error(proto::make_stanza_error(stanza_condition::jid_malformed)),
            "<error type='modify'><jid-malformed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
  proto::stanza_error e{proto::stanza_error_type::wait, stanza_condition::resource_constraint, "slow down",
                        "x.example"};
  EXPECT_EQ(proto::format_stanza_error(e),
            "<error type='wait' by='x.example'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>slow down</text></error>");
}

TEST(StanzaError, EveryConditionAndTypeRoundTripsByName) {
  for (int i = 0; i <= static_cast<int>(stanza_condition::unexpected_request); ++i) {
    auto const c = static_cast<stanza_condition>(i);
    EXPECT_EQ(proto::parse_stanza_condition(proto::condition_name(c)), c);
  }
  for (int i = 0; i <= static_cast<int>(proto::stanza_error_type::wait); ++i) {
    auto const t = static_cast<proto::stanza_error_type>(i);
    EXPECT_EQ(proto::parse_stanza_error_type(proto::type_name(t)), t);
  }
  EXPECT_EQ(proto::type_name(proto::stanza_error_type::continue_), "continue");
  EXPECT_EQ(proto::default_type(stanza_condition::service_unavailable), proto::stanza_error_type::cancel);
  EXPECT_EQ(proto::default_type(stanza_condition::not_authorized), proto::stanza_error_type::auth);
}

TEST(StanzaError, TagIsTheSameXml) {
  proto::stanza_error e{proto::stanza_error_type::cancel, stanza_condition::item_not_found, "no <such> item", "a.b"};
  EXPECT_EQ(xml::make_stanza_error_tag(e)->xml(), proto::format_stanza_error(e));
}

TEST(StanzaError, ReplySwapsAddressesAndKeepsTheId) {
  xml::stream_reader r(xml::reader_limits{});
  r.feed("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
  auto events = r.feed("<iq type='get' id='q1' from='a@b/c' to='d@e'><query xmlns='jabber:iq:version'/></iq>");
  auto const& iq = *std::get<xml::stanza_received>(events.at(0)).tag;
  auto reply = xml::make_error_reply(iq, proto::make_stanza_error(stanza_condition::service_unavailable));
  EXPECT_EQ(reply->xml(),
            "<iq xmlns='jabber:client' id='q1' to='a@b/c' from='d@e' type='error'><error type='cancel'>"
            "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
  EXPECT_EQ(reply->findChild("error")->xmlns(), "jabber:client");
}

}  // namespace
}  // namespace posta::jabber
