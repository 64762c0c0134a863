// Accepting SMTP connections: bound per client IP, then one session each.
#include "mail/smtp/server/service.hpp"

#include "core/net/admission.hpp"
#include "core/settings/settings.hpp"
#include "mail/smtp/proto/reply.hpp"
#include "mail/smtp/server/session.hpp"

namespace posta::mail::smtp::server {

service::service(context ctx)
    : ctx_(std::move(ctx)),
      limiters_{net::connection_limiter(0, 0), net::connection_limiter(0, 0), net::connection_limiter(0, 0)},
      message_memory_(0) {
  ctx_.message_memory = &message_memory_;
  apply_settings();
}

void service::apply_settings() {
  auto const per_ip = static_cast<std::size_t>(ctx_.settings.get_int("smtp.max_connections_per_ip"));
  for (auto& l : limiters_) l.set_max_per_ip(per_ip);
  // SECURITY: RAM for messages held during DATA, all sessions together.
  message_memory_.set_limit(static_cast<std::size_t>(ctx_.settings.get_int("smtp.message_memory_mb")) * 1024 * 1024);
}

net::connection_limiter& service::limiter(listener_kind kind) {
  switch (kind) {
    case listener_kind::mx: return limiters_[0];
    case listener_kind::submission: return limiters_[1];
    case listener_kind::submissions: return limiters_[2];
  }
  return limiters_[0];
}

net::connection_handler service::handler(listener_kind kind) {
  return [this, kind](boost::asio::ip::tcp::socket socket) { return serve(kind, std::move(socket)); };
}

asio::awaitable<void> service::serve(listener_kind kind, boost::asio::ip::tcp::socket socket) {
  static std::string const refusal =
      proto::format(proto::make_reply(421, "4.7.0", "Too many connections from your address"));
  auto const name = listener_name(kind);
  auto admitted = co_await net::admit(socket, limiter(kind), name, refusal);
  if (!admitted) co_return;
  session s(ctx_, kind, std::move(admitted->conn));
  co_await s.run();
}

}  // namespace posta::mail::smtp::server
