// Validated JIDs (RFC 7622) as gloox::JID: gloox prepares each part with
// stringprep and lowercases, but accepts "a@b@c", spaces in domains and a
// trailing dot; the structure, lengths and domain syntax are checked here.
#pragma once

#include "core/util/result.hpp"
#include "jabber/xml/jid_rules.hpp"

#include <gloox/jid.h>

#include <string>
#include <string_view>

namespace posta::jabber::xml {

// RFC 7622 section 3.2: one trailing dot is stripped (it must be, before any
// other step); then an IPv6 literal in brackets, a dotted IPv4 address, or a
// domain name, which is IDNA2008-checked and returned in its lowercase ASCII
// form (A-labels, as identity stores domains). Errors: invalid_domainpart,
// empty_domainpart.
result<std::string> normalise_domainpart(std::string_view domain);

// "User@Example.COM./Res" -> user@example.com/Res. Errors: a jid_errc, to be
// answered with jid-malformed (RFC 6120 section 8.3.3.8).
result<gloox::JID> parse_jid(std::string_view text);

}  // namespace posta::jabber::xml
