#include "core/net/admission.hpp"

#include "core/journal/journal.hpp"

namespace posta::net {

boost::asio::awaitable<std::optional<admitted>> admit(boost::asio::ip::tcp::socket& socket,
                                                      connection_limiter& limiter, std::string_view listener,
                                                      std::string_view refusal) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) co_return std::nullopt;
  stream conn(std::move(socket));
  auto slot = limiter.try_acquire(peer.address());
  if (slot) co_return admitted{std::move(conn), std::move(*slot)};
  journal::record(journal::level::warning, std::string(listener), "connection refused: too many connections",
                  {{"client_ip", peer.address().to_string()}});
  if (!refusal.empty()) co_await conn.write(refusal, std::chrono::seconds(10));
  co_return std::nullopt;
}

}  // namespace posta::net
