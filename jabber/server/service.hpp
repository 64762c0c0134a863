// The c2s service: connection handlers for the xmpp and xmpps listeners,
// with the per-IP connection bound (net.max_connections_per_ip, counted per
// listener) applied before a session starts.
#pragma once

#include "core/net/connection_limiter.hpp"
#include "core/net/listener.hpp"
#include "jabber/server/context.hpp"
#include "jabber/server/resumption.hpp"

#include <array>

namespace posta::jabber::server {

class service {
 public:
  explicit service(context ctx);

  net::connection_handler handler(listener_kind kind);
  void apply_settings();  // net.max_connections_per_ip changed

 private:
  asio::awaitable<void> serve(listener_kind kind, boost::asio::ip::tcp::socket socket);

  resumption_table resumptions_;  // before ctx_, which points at it
  context ctx_;
  std::array<net::connection_limiter, 2> limiters_;  // by listener_kind
};

}  // namespace posta::jabber::server
