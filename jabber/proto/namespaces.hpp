// The namespace names of RFC 6120 that the stream layer needs (sections 4.8,
// 4.9.2, 8.3.2, 11.5), and those of the c2s negotiation and server IQs.
#pragma once

#include <string_view>

namespace posta::jabber::proto::ns {

inline constexpr std::string_view stream = "http://etherx.jabber.org/streams";
inline constexpr std::string_view client = "jabber:client";
inline constexpr std::string_view server = "jabber:server";
inline constexpr std::string_view streams_errors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view stanzas_errors = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
// Negotiation (RFC 6120 sections 5.4, 6.4, 7.2; RFC 3921 section 3).
inline constexpr std::string_view tls = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view bind = "urn:ietf:params:xml:ns:xmpp-bind";
inline constexpr std::string_view session = "urn:ietf:params:xml:ns:xmpp-session";
// Server IQ payloads (XEP-0199, XEP-0030, XEP-0092, RFC 6121 section 2).
inline constexpr std::string_view ping = "urn:xmpp:ping";
inline constexpr std::string_view disco_info = "http://jabber.org/protocol/disco#info";
inline constexpr std::string_view disco_items = "http://jabber.org/protocol/disco#items";
inline constexpr std::string_view version = "jabber:iq:version";
inline constexpr std::string_view roster = "jabber:iq:roster";
inline constexpr std::string_view delay = "urn:xmpp:delay";                         // XEP-0203
inline constexpr std::string_view roster_ver = "urn:xmpp:features:rosterver";       // RFC 6121 2.6.1
inline constexpr std::string_view pre_approval = "urn:xmpp:features:pre-approval";  // RFC 6121 3.4.1
inline constexpr std::string_view sm = "urn:xmpp:sm:3";                             // XEP-0198
inline constexpr std::string_view carbons = "urn:xmpp:carbons:2";                   // XEP-0280
inline constexpr std::string_view forward = "urn:xmpp:forward:0";                   // XEP-0297
inline constexpr std::string_view hints = "urn:xmpp:hints";                         // XEP-0334
inline constexpr std::string_view csi = "urn:xmpp:csi:0";                           // XEP-0352
// Account data the server keeps (XEP-0191, XEP-0054, XEP-0049, XEP-0012).
inline constexpr std::string_view blocking = "urn:xmpp:blocking";
inline constexpr std::string_view blocking_errors = "urn:xmpp:blocking:errors";
inline constexpr std::string_view vcard = "vcard-temp";
inline constexpr std::string_view private_xml = "jabber:iq:private";
inline constexpr std::string_view last_activity = "jabber:iq:last";

}  // namespace posta::jabber::proto::ns
