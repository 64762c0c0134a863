// A TCP stream optionally upgraded to TLS, with deadlines: see stream.hpp.
#include "core/net/stream.hpp"

#include "core/net/errors.hpp"
#include "core/net/socket_bio.hpp"
#include "core/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <tuple>

namespace posta::net {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto as_value = asio::as_tuple(asio::use_awaitable);

struct ssl_free {
  void operator()(SSL* p) const { SSL_free(p); }
};

// Why an SSL_* call that wanted no I/O failed, as Asio's ssl::stream said it.
error_code tls_failure(int ssl_error, socket_bio_state const& bio) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;  // close_notify
  if (ssl_error == SSL_ERROR_SYSCALL) return bio.last_error ? bio.last_error : error_code(asio::error::eof);
  unsigned long const e = ERR_get_error();
  if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) return ssl::error::stream_truncated;
  if (e == 0) return ssl::error::unspecified_system_error;
  return {static_cast<int>(e), asio::error::get_ssl_category()};
}
}  // namespace

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

  // TLS straight on the socket (socket_bio.hpp), so that an idle connection
  // holds no TLS buffer: OpenSSL allocates its record buffers while records
  // are in flight and frees them after (SSL_MODE_RELEASE_BUFFERS). Reads and
  // writes run on the strand, one SSL_* call at a time; between calls a
  // reader and a writer may each wait for the socket.
  result<void> new_tls(ssl::context& ctx) {
    std::unique_ptr<SSL, ssl_free> s(SSL_new(ctx.native_handle()));
    BIO* b = s ? new_socket_bio(bio) : nullptr;
    if (b == nullptr) return make_error(net_errc::tls_handshake_failed, "TLS: out of memory");
    SSL_set_bio(s.get(), b, b);
    SSL_set_mode(s.get(),
                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // One read takes whatever records the kernel has (up to a record
    // buffer), not a header and then a body.
    SSL_set_read_ahead(s.get(), 1);
    error_code ec;
    socket.non_blocking(true, ec);  // the BIO's reads and writes must not block
    if (ec) return make_error(ec, "TLS");
    tls = std::move(s);
    return {};
  }

  // Before an SSL_* call: its outcome is read from a clean error queue.
  void before_tls_call() {
    ERR_clear_error();
    bio.last_error.clear();
  }

  // After an SSL_* call that returned `r` <= 0: waits for the socket state
  // OpenSSL wants and returns no error (the call is then repeated), or the
  // reason it failed.
  asio::awaitable<error_code> after_tls_call(int r) {
    int const e = SSL_get_error(tls.get(), r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) co_return tls_failure(e, bio);
    auto const what = e == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write;
    auto [ec] = co_await socket.async_wait(what, as_value);
    co_return ec;
  }

  asio::awaitable<std::tuple<error_code, std::size_t>> tls_read_some(std::span<char> into) {
    for (;;) {
      before_tls_call();
      std::size_t n = 0;
      int const r = SSL_read_ex(tls.get(), into.data(), into.size(), &n);
      if (r == 1) co_return std::tuple(error_code(), n);
      if (auto ec = co_await after_tls_call(r)) co_return std::tuple(ec, std::size_t{0});
    }
  }

  asio::awaitable<error_code> tls_write(std::string_view bytes) {
    while (!bytes.empty()) {
      before_tls_call();
      std::size_t n = 0;
      int const r = SSL_write_ex(tls.get(), bytes.data(), bytes.size(), &n);
      if (r == 1) {
        bytes.remove_prefix(n);
        continue;
      }
      if (auto ec = co_await after_tls_call(r)) co_return ec;  // else the same bytes again, as OpenSSL asks
    }
    co_return error_code();
  }

  // close_notify, then the peer's (RFC 8446 6.1), as Asio's async_shutdown.
  asio::awaitable<void> tls_shutdown() {
    for (int sent = 0; sent < 2;) {
      before_tls_call();
      int const r = SSL_shutdown(tls.get());
      if (r == 1) co_return;
      if (r == 0) {  // ours is out; the next call waits for the peer's
        ++sent;
        continue;
      }
      if (co_await after_tls_call(r)) co_return;
    }
  }

  tcp::socket socket;
  socket_bio_state bio{&socket, {}, false};
  std::unique_ptr<SSL, ssl_free> tls;
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
  if (s.tls)
    r = co_await s.tls_read_some(into);
  else r = co_await s.socket.async_read_some(buf, as_value);
  auto [ec, n] = r;
  s.disarm(s.read_deadline);
  if (ec) co_return s.to_error(ec, s.read_deadline, "read");
  co_return n;
}

asio::awaitable<result<void>> stream::wait_readable(duration timeout) {
  impl& s = *impl_;
  // OpenSSL may hold a record (or part of one) that it read ahead.
  if (s.tls && SSL_has_pending(s.tls.get()) == 1) co_return result<void>{};
  s.arm(s.read_deadline, timeout);
  auto [ec] = co_await s.socket.async_wait(tcp::socket::wait_read, as_value);
  s.disarm(s.read_deadline);
  if (ec) co_return s.to_error(ec, s.read_deadline, "read");
  co_return result<void>{};
}

asio::awaitable<result<void>> stream::write(std::string_view bytes, duration timeout) {
  impl& s = *impl_;
  s.arm(s.write_deadline, timeout);
  auto buf = asio::buffer(bytes.data(), bytes.size());
  error_code ec;
  if (s.tls)
    ec = co_await s.tls_write(bytes);
  else
    std::tie(ec, std::ignore) = co_await asio::async_write(s.socket, buf, as_value);
  s.disarm(s.write_deadline);
  if (ec) co_return s.to_error(ec, s.write_deadline, "write");
  co_return result<void>{};
}

asio::awaitable<result<void>> stream::start_tls(ssl::context& ctx, duration timeout) {
  impl& s = *impl_;
  if (s.tls) co_return make_error(errc::protocol_error, "TLS already active");
  if (auto made = s.new_tls(ctx); !made) {
    close();
    co_return made.error();
  }
  co_return co_await handshake(false, timeout);
}

asio::awaitable<result<void>> stream::start_client_tls(ssl::context& ctx, std::string const& server_name, bool verify,
                                                       duration timeout) {
  impl& s = *impl_;
  if (s.tls) co_return make_error(errc::protocol_error, "TLS already active");
  if (auto made = s.new_tls(ctx); !made) {
    close();
    co_return made.error();
  }
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(server_name, not_ip);
  if (verify) {
    auto named = expect_server_name(s.tls.get(), server_name);
    if (!named) {
      close();
      co_return named.error();
    }
  } else {
    SSL_set_verify(s.tls.get(), SSL_VERIFY_NONE, nullptr);
    if (not_ip && !server_name.empty()) SSL_set_tlsext_host_name(s.tls.get(), server_name.c_str());
  }
  co_return co_await handshake(true, timeout);
}

asio::awaitable<result<void>> stream::handshake(bool as_client, duration timeout) {
  impl& s = *impl_;
  s.arm(s.read_deadline, timeout);
  if (as_client)
    SSL_set_connect_state(s.tls.get());
  else
    SSL_set_accept_state(s.tls.get());
  error_code ec;
  for (;;) {
    s.before_tls_call();
    int const r = SSL_do_handshake(s.tls.get());
    if (r == 1) break;
    ec = co_await s.after_tls_call(r);
    if (ec) break;
  }
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
    co_await s.tls_shutdown();  // the outcome changes nothing: we close next
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
  return is_tls() ? describe_tls(impl_->tls.get()) : std::string();
}

ssl_st* stream::native_tls_handle() const {
  return is_tls() ? impl_->tls.get() : nullptr;
}
tcp::endpoint stream::remote_endpoint() const { return impl_->remote; }
tcp::endpoint stream::local_endpoint() const { return impl_->local; }
asio::any_io_executor stream::get_executor() const { return impl_->socket.get_executor(); }

}  // namespace posta::net
