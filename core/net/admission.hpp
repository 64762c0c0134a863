// Where every protocol's connection starts: the peer's address and the
// per-IP bound of its listener (SECURITY: net/smtp.max_connections_per_ip).
// A client over the bound is journalled, hears `refusal` (a protocol line:
// 421 for SMTP, BYE for IMAP, -ERR for POP3; empty on implicit-TLS ports,
// which expect a handshake first) and is closed. The socket is taken over.
#pragma once

#include "core/net/connection_limiter.hpp"
#include "core/net/stream.hpp"

#include <optional>
#include <string_view>

namespace posta::net {

struct admitted {
  stream conn;
  connection_limiter::guard slot;  // held for the whole session
};

boost::asio::awaitable<std::optional<admitted>> admit(boost::asio::ip::tcp::socket& socket,
                                                      connection_limiter& limiter, std::string_view listener,
                                                      std::string_view refusal);

}  // namespace posta::net
