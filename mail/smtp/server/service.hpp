// The SMTP service: connection handlers for the smtp, submission and
// submissions listeners, with the per-IP connection bound applied first.
#pragma once

#include "core/net/connection_limiter.hpp"
#include "core/net/listener.hpp"
#include "mail/smtp/server/context.hpp"

namespace posta::mail::smtp::server {

class service {
 public:
  explicit service(context ctx);

  net::connection_handler handler(listener_kind kind);
  void apply_settings();  // smtp.max_connections_per_ip changed

 private:
  asio::awaitable<void> serve(listener_kind kind, boost::asio::ip::tcp::socket socket);

  context ctx_;
  net::connection_limiter limiter_;
};

}  // namespace posta::mail::smtp::server
