// The IMAP service: connection handlers for the imap and imaps listeners,
// with the per-IP connection bound (net.max_connections_per_ip) applied
// first and the per-account session bound shared by all sessions.
#pragma once

#include "core/net/connection_limiter.hpp"
#include "core/net/listener.hpp"
#include "mail/imap/server/account_sessions.hpp"
#include "mail/imap/server/context.hpp"

namespace posta::mail::imap::server {

class service {
 public:
  explicit service(context ctx);

  net::connection_handler handler(listener_kind kind);
  // net.max_connections_per_ip or imap.max_sessions_per_account changed.
  void apply_settings();

 private:
  asio::awaitable<void> serve(listener_kind kind, boost::asio::ip::tcp::socket socket);

  context ctx_;
  net::connection_limiter limiter_;  // imap and imaps together: one client, one budget
  account_sessions per_account_;
};

}  // namespace posta::mail::imap::server
