// The c2s stream header, feature lists and the mechanisms a stream may offer
// (RFC 6120 sections 4.7, 5.4.1, 6.4.1, 7.2): no SASL before TLS when TLS is
// required, PLAIN only inside TLS, binding once authenticated; SASL and
// STARTTLS elements; the IQ results the server answers itself.
#include "jabber/proto/c2s_features.hpp"

#include "jabber/proto/iq_replies.hpp"
#include "jabber/proto/sasl_elements.hpp"

#include <gtest/gtest.h>

namespace posta::jabber::proto {
namespace {

std::vector<std::string> names(c2s_stream_state const& s) {
  auto m = offered_mechanisms(s);
  return {m.begin(), m.end()};
}

TEST(C2sFeatures, Header) {
  EXPECT_EQ(format_stream_header("example.com", "i'd", "jabber:client"),
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            "xmlns:stream='http://etherx.jabber.org/streams' id='i&apos;d' from='example.com' "
            "version='1.0' xml:lang='en'>");
}

TEST(C2sFeatures, MechanismsByState) {
  using v = std::vector<std::string>;
  // {tls_available, tls_active, require_tls, authenticated}
  EXPECT_EQ(names({true, false, true, false}), v{});
  EXPECT_EQ(names({true, false, false, false}), (v{"SCRAM-SHA-256", "SCRAM-SHA-1"}));
  EXPECT_EQ(names({true, true, true, false}), (v{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}));
  EXPECT_EQ(names({true, true, true, true}), v{});
  EXPECT_EQ(names({false, false, false, false}), (v{"SCRAM-SHA-256", "SCRAM-SHA-1"}));
}

TEST(C2sFeatures, BeforeTlsWhenRequired) {
  EXPECT_EQ(format_features({true, false, true, false}),
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
            "</stream:features>");
  EXPECT_TRUE(is_tls_pending({true, false, true, false}));
  EXPECT_FALSE(is_tls_pending({true, true, true, false}));
}

TEST(C2sFeatures, OptionalTlsOffersScramBesideIt) {
  EXPECT_EQ(format_features({true, false, false, false}),
            "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
            "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism>"
            "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
}

TEST(C2sFeatures, InsideTlsAndAfterAuthentication) {
  EXPECT_EQ(format_features({true, true, true, false}),
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            "<mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>"
            "<mechanism>PLAIN</mechanism></mechanisms></stream:features>");
  EXPECT_EQ(format_features({true, true, true, true, "<c/>"}),
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
            "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>"
            "<ver xmlns='urn:xmpp:features:rosterver'/>"
            "<sub xmlns='urn:xmpp:features:pre-approval'/><sm xmlns='urn:xmpp:sm:3'/>"
            "<csi xmlns='urn:xmpp:csi:0'/><c/></stream:features>");
}

TEST(SaslElements, Formats) {
  EXPECT_EQ(format_sasl_failure(sasl_condition::not_authorized),
            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>");
  EXPECT_EQ(format_sasl_failure(sasl_condition::temporary_auth_failure),
            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><temporary-auth-failure/></failure>");
  EXPECT_EQ(format_sasl_challenge(""), "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</challenge>");
  EXPECT_EQ(format_sasl_challenge("cj1h"), "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1h</challenge>");
  EXPECT_EQ(format_sasl_success(""), "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  EXPECT_EQ(format_sasl_success("dj1h"), "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1h</success>");
  EXPECT_EQ(format_tls_proceed(), "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  EXPECT_EQ(format_tls_failure(), "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
}

TEST(SaslElements, EveryConditionHasItsRfcName) {
  EXPECT_EQ(condition_name(sasl_condition::aborted), "aborted");
  EXPECT_EQ(condition_name(sasl_condition::encryption_required), "encryption-required");
  EXPECT_EQ(condition_name(sasl_condition::invalid_mechanism), "invalid-mechanism");
  EXPECT_EQ(condition_name(sasl_condition::temporary_auth_failure), "temporary-auth-failure");
}

TEST(SaslElements, Payload) {
  EXPECT_EQ(sasl_payload(""), std::nullopt);         // no initial response
  EXPECT_EQ(sasl_payload("="), std::string_view());  // an empty one (RFC 6120 6.4.2)
  EXPECT_EQ(sasl_payload("AGEAYg=="), std::string_view("AGEAYg=="));
}

TEST(IqReplies, Formats) {
  EXPECT_EQ(format_iq_result("p1", "a@b/c", "", ""), "<iq type='result' id='p1' to='a@b/c'/>");
  EXPECT_EQ(format_iq_result("<", "a@b/c", "b", "<x/>"), "<iq type='result' id='&lt;' to='a@b/c' from='b'><x/></iq>");
  EXPECT_EQ(format_bind_payload("a@b/r&s"),
            "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>a@b/r&amp;s</jid></bind>");
  EXPECT_EQ(format_version_payload("Posta", "0.1"),
            "<query xmlns='jabber:iq:version'><name>Posta</name><version>0.1</version></query>");
  std::string_view const features[] = {"urn:xmpp:ping"};
  EXPECT_EQ(format_disco_info_payload(features),
            "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im' "
            "name='Posta'/><feature var='urn:xmpp:ping'/></query>");
}

}  // namespace
}  // namespace posta::jabber::proto
