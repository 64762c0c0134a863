// What becomes of the stanzas a c2s session was sent but its client never
// acknowledged (XEP-0198 section 4, and section 5 when a resumption times
// out), once the session has left the router: messages go to the account's
// other available resources as if sent to the bare JID (RFC 6121
// 8.5.3.2.1), or to offline storage (XEP-0160) when none is there; IQ
// requests are answered with service-unavailable (RFC 6120 8.5.3.2.1);
// presence, IQ results, errors and carbon copies are dropped.
#pragma once

#include "core/util/async.hpp"

#include <string>
#include <vector>

namespace gloox {
class Tag;
}

namespace posta::jabber::server {

struct context;

asio::awaitable<void> redeliver(context& ctx, std::string const& account, std::string const& host,
                                std::vector<std::string> stanzas);

// XEP-0203: the time a message was kept, from `host`; once (a message that
// already carries one from offline storage keeps that one).
void stamp_delay(gloox::Tag& msg, std::string const& host);

}  // namespace posta::jabber::server
