// The SMTP service: connection handlers for the smtp, submission and
// submissions listeners, with the per-IP connection bound applied first (one
// count per listener: MX traffic from an address must not lock its users
// out of submission), and the RAM budget its sessions share during DATA.
#pragma once

#include "core/net/connection_limiter.hpp"
#include "core/net/listener.hpp"
#include "core/util/memory_budget.hpp"
#include "mail/smtp/server/context.hpp"

#include <array>

namespace posta::mail::smtp::server {

class service {
 public:
  explicit service(context ctx);

  net::connection_handler handler(listener_kind kind);
  void apply_settings();  // smtp.max_connections_per_ip or smtp.message_memory_mb changed

 private:
  asio::awaitable<void> serve(listener_kind kind, boost::asio::ip::tcp::socket socket);

  net::connection_limiter& limiter(listener_kind kind);

  context ctx_;
  std::array<net::connection_limiter, 3> limiters_;  // by listener_kind
  util::memory_budget message_memory_;
};

}  // namespace posta::mail::smtp::server
