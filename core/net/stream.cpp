// A TCP stream optionally upgraded to TLS, with deadlines: see stream.hpp.
#include "core/net/stream.hpp"

#include "core/net/errors.hpp"
#include "core/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <optional>
#include <tuple>

namespace posta::net {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto as_value = asio::as_tuple(asio::use_awaitable);
}

struct stream::impl : std::enable_shared_from_this<impl> {
  // A deadline that cancels the socket's operations when it passes. Arming
  // and disarming only set the expiry: the timer waits on, and when it
  // wakes up early (the operation it was started for ended, a later one
  // moved the expiry) it waits again or stops. An operation thus costs no
  // timer start and no cancellation, which were two more completions
  // through the scheduler for every read and every write; an idle
  // connection wakes up once per timeout period. Generations tell a stale
  // completion (after a re-arm for an earlier expiry) from the live one.
  struct deadline {
    explicit deadline(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point expiry;
    std::uint64_t generation = 0;
    bool active = false;   // an operation with a timeout is in progress
    bool waiting = false;  // the timer has a wait outstanding
    bool fired = false;
  };

  explicit impl(tcp::socket s)
      : socket(std::move(s)), read_deadline(socket.get_executor()), write_deadline(socket.get_executor()) {
    error_code ec;
    remote = socket.remote_endpoint(ec);  // kept: unavailable once closed
    local = socket.local_endpoint(ec);
  }

  void arm(deadline& d, duration timeout) {
    d.fired = false;
    d.active = timeout != duration::zero();
    if (!d.active) return;
    d.expiry = std::chrono::steady_clock::now() + timeout;
    if (d.waiting && d.timer.expiry() <= d.expiry) return;  // it wakes up in time and waits on
    wait(d);
  }

  void wait(deadline& d) {
    d.waiting = true;
    d.timer.expires_at(d.expiry);  // cancels an outstanding wait: its completion is stale
    d.timer.async_wait([weak = weak_from_this(), &d, g = ++d.generation](error_code) {
      auto self = weak.lock();
      if (!self || d.generation != g) return;
      d.waiting = false;
      if (!d.active) return;
      if (std::chrono::steady_clock::now() < d.expiry) {
        self->wait(d);
        return;
      }
      d.fired = true;
      error_code ignored;
      self->socket.cancel(ignored);
    });
  }

  void disarm(deadline& d) { d.active = false; }

  error to_error(error_code ec, deadline const& d, char const* what) const {
    if (ec == asio::error::operation_aborted)
      return make_error(d.fired ? net_errc::timeout : net_errc::cancelled, what);
    // A peer closing without TLS close_notify is how most clients hang up.
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated)
      return make_error(net_errc::end_of_stream, what);
    return make_error(ec, what);
  }

  tcp::socket socket;
  std::optional<ssl::stream<tcp::socket&>> tls;
  bool handshake_done = false;
  deadline read_deadline;
  deadline write_deadline;
  tcp::endpoint remote;
  tcp::endpoint local;
};

stream::stream(tcp::socket socket) : impl_(std::make_shared<impl>(std::move(socket))) {}
stream::stream(stream&&) noexcept = default;
stream& stream::operator=(stream&&) noexcept = default;
stream::~stream() = default;

asio::awaitable<result<std::size_t>> stream::read_some(std::span<char> into, duration timeout) {
  impl& s = *impl_;
  s.arm(s.read_deadline, timeout);
  auto buf = asio::buffer(into.data(), into.size());
  // (No co_await inside ?: : GCC 12 miscompiles some of those.)
  std::tuple<error_code, std::size_t> r;
  if (s.tls) r = co_await s.tls->async_read_some(buf, as_value);
  else r = co_await s.socket.async_read_some(buf, as_value);
  auto [ec, n] = r;
  s.disarm(s.read_deadline);
  if (ec) co_return s.to_error(ec, s.read_deadline, "read");
  co_return n;
}

asio::awaitable<result<void>> stream::write(std::string_view bytes, duration timeout) {
  impl& s = *impl_;
  s.arm(s.write_deadline, timeout);
  auto buf = asio::buffer(bytes.data(), bytes.size());
  std::tuple<error_code, std::size_t> r;
  if (s.tls) r = co_await asio::async_write(*s.tls, buf, as_value);
  else r = co_await asio::async_write(s.socket, buf, as_value);
  auto [ec, n] = r;
  s.disarm(s.write_deadline);
  if (ec) co_return s.to_error(ec, s.write_deadline, "write");
  co_return result<void>{};
}

asio::awaitable<result<void>> stream::start_tls(ssl::context& ctx, duration timeout) {
  impl& s = *impl_;
  if (s.tls) co_return make_error(errc::protocol_error, "TLS already active");
  s.tls.emplace(s.socket, ctx);
  co_return co_await handshake(false, timeout);
}

asio::awaitable<result<void>> stream::start_client_tls(ssl::context& ctx, std::string const& server_name, bool verify,
                                                       duration timeout) {
  impl& s = *impl_;
  if (s.tls) co_return make_error(errc::protocol_error, "TLS already active");
  s.tls.emplace(s.socket, ctx);
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(server_name, not_ip);
  if (verify) {
    auto named = expect_server_name(s.tls->native_handle(), server_name);
    if (!named) {
      close();
      co_return named.error();
    }
  } else {
    s.tls->set_verify_mode(ssl::verify_none);
    if (not_ip && !server_name.empty()) SSL_set_tlsext_host_name(s.tls->native_handle(), server_name.c_str());
  }
  co_return co_await handshake(true, timeout);
}

asio::awaitable<result<void>> stream::handshake(bool as_client, duration timeout) {
  impl& s = *impl_;
  s.arm(s.read_deadline, timeout);
  auto type = as_client ? ssl::stream_base::client : ssl::stream_base::server;
  auto [ec] = co_await s.tls->async_handshake(type, as_value);
  s.disarm(s.read_deadline);
  if (!ec) {
    s.handshake_done = true;
    co_return result<void>{};
  }
  bool const timed_out = s.read_deadline.fired;
  close();  // SECURITY: never fall back to plaintext
  if (timed_out) co_return make_error(net_errc::timeout, "TLS handshake");
  co_return make_error(net_errc::tls_handshake_failed, "TLS handshake: " + ec.message());
}

asio::awaitable<void> stream::shutdown(duration timeout) {
  impl& s = *impl_;
  if (s.handshake_done && s.socket.is_open()) {
    s.arm(s.write_deadline, timeout);
    co_await s.tls->async_shutdown(as_value);  // the outcome changes nothing: we close next
    s.disarm(s.write_deadline);
  }
  error_code ignored;
  s.socket.shutdown(tcp::socket::shutdown_both, ignored);
  close();
}

void stream::close() {
  error_code ignored;
  impl_->socket.close(ignored);
}

void stream::cancel() {
  error_code ignored;
  impl_->socket.cancel(ignored);
}

bool stream::is_open() const { return impl_->socket.is_open(); }
bool stream::is_tls() const { return impl_->handshake_done; }

std::string stream::tls_description() const {
  return is_tls() ? describe_tls(impl_->tls->native_handle()) : std::string();
}

ssl_st* stream::native_tls_handle() const { return is_tls() ? impl_->tls->native_handle() : nullptr; }
tcp::endpoint stream::remote_endpoint() const { return impl_->remote; }
tcp::endpoint stream::local_endpoint() const { return impl_->local; }
asio::any_io_executor stream::get_executor() const { return impl_->socket.get_executor(); }

}  // namespace posta::net
