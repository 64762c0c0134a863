// The namespace names of RFC 6120 that the stream layer needs (sections 4.8,
// 4.9.2, 8.3.2, 11.5).
#pragma once

#include <string_view>

namespace posta::jabber::proto::ns {

inline constexpr std::string_view stream = "http://etherx.jabber.org/streams";
inline constexpr std::string_view client = "jabber:client";
inline constexpr std::string_view server = "jabber:server";
inline constexpr std::string_view streams_errors = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view stanzas_errors = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";

}  // namespace posta::jabber::proto::ns
