// The admin API of the XMPP server (README "Admin API"): GET
// /api/v1/xmpp/sessions[?account=A] lists this node's bound resources,
// DELETE /api/v1/xmpp/sessions/{jid} ends a full JID's session or every
// session of a bare JID. Behind the API's token guard like every route
// under /api/ (core/api/routes.cpp). Each answer names the node, so that a
// cluster front can later ask every node and merge the lists or add up the
// kicks without changing their shape.
#pragma once

#include <string>

namespace posta::http {
class router;
}

namespace posta::jabber::server {

class session_table;

void add_admin_routes(http::router& router, session_table& table, std::string node);

}  // namespace posta::jabber::server
