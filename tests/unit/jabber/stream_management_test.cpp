// XEP-0198 counts and elements: 'h' parsing, acknowledgements across the
// 2^32 wrap (section 4), handled-count-too-high, the server's elements, the
// stanza/nonza split of outbound bytes and start-tag attributes; XEP-0280
// eligibility and copies.
#include "jabber/proto/stream_management.hpp"

#include "jabber/proto/carbons.hpp"
#include "jabber/proto/stream_error.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

TEST(StreamManagement, ParsesCounts) {
  EXPECT_EQ(parse_sm_count("0"), 0u);
  EXPECT_EQ(parse_sm_count("4294967295"), 4294967295u);
  EXPECT_EQ(parse_sm_count("4294967296"), std::nullopt);
  EXPECT_EQ(parse_sm_count("-1"), std::nullopt);
  EXPECT_EQ(parse_sm_count(""), std::nullopt);
  EXPECT_EQ(parse_sm_count("12a"), std::nullopt);
  EXPECT_EQ(parse_sm_count("00000000001"), std::nullopt);  // longer than any count
}

TEST(StreamManagement, AcksAcrossTheWrap) {
  EXPECT_EQ(newly_acked(0, 0, 3), 0u);
  EXPECT_EQ(newly_acked(0, 3, 3), 3u);
  EXPECT_EQ(newly_acked(5, 7, 3), 2u);
  // 2^32 - 2 acknowledged, three more sent: h wraps to 1.
  EXPECT_EQ(newly_acked(4294967294u, 1, 3), 3u);
  EXPECT_EQ(newly_acked(4294967294u, 0, 3), 2u);
  sm_count h = 4294967295u;
  ++h;  // the counter itself wraps the same way
  EXPECT_EQ(h, 0u);
}

TEST(StreamManagement, RefusesAnAckPastWhatWasSent) {
  EXPECT_EQ(newly_acked(0, 4, 3), std::nullopt);
  EXPECT_EQ(newly_acked(4294967294u, 2, 3), std::nullopt);
  EXPECT_EQ(newly_acked(5, 4, 3), std::nullopt);  // behind the last ack: 2^32 - 1 new ones
}

TEST(StreamManagement, FormatsItsElements) {
  EXPECT_EQ(format_sm_enabled("abc", true, 300), "<enabled xmlns='urn:xmpp:sm:3' id='abc' resume='true' max='300'/>");
  EXPECT_EQ(format_sm_enabled("", false, 0), "<enabled xmlns='urn:xmpp:sm:3'/>");
  EXPECT_EQ(format_sm_resumed("a'b", 7), "<resumed xmlns='urn:xmpp:sm:3' h='7' previd='a&apos;b'/>");
  EXPECT_EQ(format_sm_failed(stanza_condition::item_not_found),
            "<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
  EXPECT_EQ(format_sm_failed(stanza_condition::unexpected_request, 4),
            "<failed xmlns='urn:xmpp:sm:3' h='4'><unexpected-request "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
  EXPECT_EQ(format_sm_ack(4294967295u), "<a xmlns='urn:xmpp:sm:3' h='4294967295'/>");
  EXPECT_EQ(format_sm_request(), "<r xmlns='urn:xmpp:sm:3'/>");
  EXPECT_EQ(format_handled_count_too_high(5, 1),
            "<handled-count-too-high xmlns='urn:xmpp:sm:3' h='5' send-count='1'/>");
  // XEP-0198 5: inside the undefined-condition stream error (RFC 6120 4.9.4).
  EXPECT_EQ(format_stream_error(stream_condition::undefined_condition, {}, format_handled_count_too_high(5, 1)),
            "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            "<handled-count-too-high xmlns='urn:xmpp:sm:3' h='5' send-count='1'/></stream:error>");
  EXPECT_TRUE(is_true("true"));
  EXPECT_TRUE(is_true("1"));
  EXPECT_FALSE(is_true("false"));
  EXPECT_FALSE(is_true(""));
}

TEST(StreamManagement, CountsStanzasOnly) {
  EXPECT_EQ(classify_outbound("<message to='a'/>"), outbound_kind::message);
  EXPECT_EQ(classify_outbound("<presence/>"), outbound_kind::presence);
  EXPECT_EQ(classify_outbound("<iq type='result' id='x'/>"), outbound_kind::iq);
  EXPECT_EQ(classify_outbound("<iqx/>"), outbound_kind::other);
  EXPECT_EQ(classify_outbound("<r xmlns='urn:xmpp:sm:3'/>"), outbound_kind::other);
  EXPECT_EQ(classify_outbound("<enabled xmlns='urn:xmpp:sm:3'/>"), outbound_kind::other);
  EXPECT_EQ(classify_outbound("<stream:error><conflict/></stream:error>"), outbound_kind::other);
  EXPECT_EQ(classify_outbound("</stream:stream>"), outbound_kind::other);
  EXPECT_EQ(classify_outbound(""), outbound_kind::other);
}

TEST(StreamManagement, ReadsStartTagAttributes) {
  std::string const p = "<presence from='a@x/r&apos;1' type=\"unavailable\"><status>to='no'</status></presence>";
  EXPECT_EQ(start_tag_attribute(p, "from"), "a@x/r'1");
  EXPECT_EQ(start_tag_attribute(p, "type"), "unavailable");
  EXPECT_EQ(start_tag_attribute(p, "to"), std::nullopt);  // not from the child's text
  EXPECT_EQ(start_tag_attribute("<presence/>", "from"), std::nullopt);
  EXPECT_EQ(start_tag_attribute("<presence from='unterminated", "from"), std::nullopt);
  EXPECT_EQ(start_tag_attribute("<message xml:lang='en' to='b@x'>", "to"), "b@x");
}

// Found by the fuzzer: Posta writes TAB, LF and CR as character references
// (core/util/xml_escape.hpp); they read back as the characters.
TEST(StreamManagement, AttributeCharacterReferences) {
  EXPECT_EQ(start_tag_attribute("<message id='a&#10;b&#x9;c&#13;'>", "id"), "a\nb\tc\r");
  EXPECT_EQ(start_tag_attribute("<message id='&#0;&#128;&#x;&#12a;'>", "id"), "&#0;&#128;&#x;&#12a;");
}

TEST(Carbons, Eligibility) {
  EXPECT_TRUE(is_carbon_eligible({"chat", false, false, false, false}));
  EXPECT_TRUE(is_carbon_eligible({"", true, false, false, false}));
  EXPECT_TRUE(is_carbon_eligible({"normal", true, false, false, false}));
  EXPECT_FALSE(is_carbon_eligible({"normal", false, false, false, false}));
  EXPECT_FALSE(is_carbon_eligible({"groupchat", true, false, false, false}));
  EXPECT_FALSE(is_carbon_eligible({"headline", true, false, false, false}));
  EXPECT_FALSE(is_carbon_eligible({"error", true, false, false, false}));
  EXPECT_FALSE(is_carbon_eligible({"chat", true, true, false, false}));  // <private/>
  EXPECT_FALSE(is_carbon_eligible({"chat", true, false, true, false}));  // <no-copy/>
  EXPECT_FALSE(is_carbon_eligible({"chat", true, false, false, true}));  // a copy
}

TEST(Carbons, Formats) {
  EXPECT_EQ(format_carbon(carbon_direction::received, "b@x", "b@x/r", "chat", "<message/>"),
            "<message from='b@x' to='b@x/r' type='chat'><received xmlns='urn:xmpp:carbons:2'>"
            "<forwarded xmlns='urn:xmpp:forward:0'><message/></forwarded></received></message>");
  EXPECT_EQ(format_carbon(carbon_direction::sent, "a@x", "a@x/r", "", "<m/>"),
            "<message from='a@x' to='a@x/r'><sent xmlns='urn:xmpp:carbons:2'>"
            "<forwarded xmlns='urn:xmpp:forward:0'><m/></forwarded></sent></message>");
}

}  // namespace
}  // namespace posta::jabber::proto
