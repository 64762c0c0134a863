// Accepting c2s connections: bound per client IP, then one session each.
#include "jabber/server/service.hpp"

#include "core/net/admission.hpp"
#include "core/settings/settings.hpp"
#include "jabber/server/session.hpp"

namespace posta::jabber::server {

std::string_view listener_name(listener_kind k) {
  return k == listener_kind::xmpps ? "xmpps" : "xmpp";
}

std::shared_ptr<boost::asio::ssl::context> context::tls_for(listener_kind kind) const {
  return tls ? tls->for_listener(listener_name(kind)) : nullptr;
}

service::service(context ctx)
    : ctx_(std::move(ctx)), limiters_{net::connection_limiter(0, 0), net::connection_limiter(0, 0)} {
  ctx_.resumptions = &resumptions_;
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
  // Over the bound the connection is only closed: a stream error would need
  // the client's stream header first (RFC 6120 4.9.1.2).
  auto admitted = co_await net::admit(socket, limiters_[kind == listener_kind::xmpps ? 1 : 0], listener_name(kind), "");
  if (!admitted) co_return;
  session s(ctx_, kind, std::move(admitted->conn));
  co_await s.run();
}

}  // namespace posta::jabber::server
