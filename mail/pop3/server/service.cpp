// Accepting POP3 connections: bound per client IP, then one session each.
#include "mail/pop3/server/service.hpp"

#include "core/net/admission.hpp"
#include "core/settings/settings.hpp"
#include "mail/pop3/proto/reply.hpp"
#include "mail/pop3/server/session.hpp"

namespace posta::mail::pop3::server {

std::string_view listener_name(listener_kind k) { return k == listener_kind::pop3s ? "pop3s" : "pop3"; }

std::shared_ptr<boost::asio::ssl::context> context::tls_for(listener_kind kind) const {
  return tls ? tls->for_listener(listener_name(kind)) : nullptr;
}

service::service(context ctx)
    : ctx_(std::move(ctx)), limiters_{net::connection_limiter(0, 0), net::connection_limiter(0, 0)} {
  apply_settings();
}

void service::apply_settings() {
  auto const per_ip = static_cast<std::size_t>(ctx_.settings.get_int("net.max_connections_per_ip"));
  for (auto& l : limiters_) l.set_max_per_ip(per_ip);
}

net::connection_handler service::handler(listener_kind kind) {
  return [this, kind](boost::asio::ip::tcp::socket socket) { return serve(kind, std::move(socket)); };
}

asio::awaitable<void> service::serve(listener_kind kind, boost::asio::ip::tcp::socket socket) {
  // The implicit-TLS port expects a handshake: it is only closed.
  auto refusal = kind == listener_kind::pop3
                     ? proto::format(proto::err("Too many connections from your address", proto::resp_code::sys_temp))
                     : std::string();
  auto const name = listener_name(kind);
  auto admitted = co_await net::admit(socket, limiters_[kind == listener_kind::pop3s ? 1 : 0], name, refusal);
  if (!admitted) co_return;
  session s(ctx_, kind, std::move(admitted->conn));
  co_await s.run();
}

}  // namespace posta::mail::pop3::server
