// Accepting IMAP connections: bound per client IP, then one session each.
#include "mail/imap/server/service.hpp"

#include "core/net/admission.hpp"
#include "core/settings/settings.hpp"
#include "mail/imap/proto/response.hpp"
#include "mail/imap/server/session.hpp"

namespace posta::mail::imap::server {

std::string_view listener_name(listener_kind k) { return k == listener_kind::imaps ? "imaps" : "imap"; }

std::shared_ptr<boost::asio::ssl::context> context::tls_for(listener_kind kind) const {
  return tls ? tls->for_listener(listener_name(kind)) : nullptr;
}

service::service(context ctx) : ctx_(std::move(ctx)), limiter_(0, 0), per_account_(0) {
  ctx_.per_account = &per_account_;
  apply_settings();
}

void service::apply_settings() {
  // SECURITY: concurrent connections per client IP (net.max_connections_per_ip).
  limiter_.set_max_per_ip(static_cast<std::size_t>(ctx_.settings.get_int("net.max_connections_per_ip")));
  per_account_.set_max(static_cast<std::size_t>(ctx_.settings.get_int("imap.max_sessions_per_account")));
}

net::connection_handler service::handler(listener_kind kind) {
  return [this, kind](boost::asio::ip::tcp::socket socket) { return serve(kind, std::move(socket)); };
}

asio::awaitable<void> service::serve(listener_kind kind, boost::asio::ip::tcp::socket socket) {
  // On imaps the client expects a handshake first: it is only closed.
  auto refusal = kind == listener_kind::imap
                     ? proto::untagged_status(proto::status::bye, "", "Too many connections from your address")
                     : std::string();
  auto const name = listener_name(kind);
  auto admitted = co_await net::admit(socket, limiter_, name, refusal);
  if (!admitted) co_return;
  session s(ctx_, kind, std::move(admitted->conn));
  co_await s.run();
}

}  // namespace posta::mail::imap::server
