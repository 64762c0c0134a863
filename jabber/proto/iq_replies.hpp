// The IQ results the c2s server answers itself (RFC 6120 sections 7.6.1,
// 8.2.3; RFC 3921 section 3; XEP-0199 section 4; XEP-0030 section 3.1;
// XEP-0092 section 2; RFC 6121 section 2.1.3), as bytes.
#pragma once

#include "jabber/proto/caps.hpp"

#include <span>
#include <string>
#include <string_view>

namespace posta::jabber::proto {

// <iq type='result' id='ID' [to='TO'] [from='FROM']>PAYLOAD</iq>; `payload`
// is XML written by Posta, every other value is escaped here.
std::string format_iq_result(std::string_view id, std::string_view to, std::string_view from,
                             std::string_view payload = {});

// <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>FULL</jid></bind>
std::string format_bind_payload(std::string_view full_jid);

// XEP-0030 3.1: the server's identities and `features`; with a `node`
// (XEP-0115 6.2: the caps node#ver) the query names it.
std::string format_disco_info_payload(std::span<std::string_view const> features, std::string_view node = {});

// XEP-0030 4.2: the server's items (none yet: no components).
std::string format_disco_items_payload();

// XEP-0092 2: <query xmlns='jabber:iq:version'><name/><version/></query>
std::string format_version_payload(std::string_view name, std::string_view version);

// The features the c2s server implements, for its own disco#info and its
// XEP-0115 'ver' (caps.hpp), and its identities (category "server", type "im").
std::span<std::string_view const> server_features();
std::span<disco_identity const> server_identities();

}  // namespace posta::jabber::proto
