// The outbound SMTP connection up to the first transaction, and QUIT.
// RFC 5321 3.1 (greeting), 4.1.1.1 (EHLO, HELO), 4.5.3.2 (timeouts), 5.1;
// RFC 3207 4.2 (EHLO again after TLS); RFC 4954 4, RFC 4616 (AUTH PLAIN).
#include "mail/smtp/client/connection.hpp"

#include "core/net/errors.hpp"
#include "core/util/base64.hpp"
#include "mail/smtp/client/error_map.hpp"
#include "mail/smtp/client/proto/commands.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>

namespace posta::mail::smtp::client {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
using tcp = boost::asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(tcp::endpoint const& ep) {
  auto ip = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(ep.port());
}

asio::awaitable<result<tcp::socket>> connect_one(tcp::endpoint ep, client_options::duration timeout) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  asio::steady_timer timer(ex, timeout);
  auto outcome = co_await (socket.async_connect(ep, use_tuple) || timer.async_wait(use_tuple));
  if (outcome.index() == 1) co_return net::make_error(net::net_errc::timeout, "connect");
  auto [ec] = std::get<0>(outcome);
  if (ec) co_return make_error(ec, "connect");
  co_return std::move(socket);
}

// A failure to talk at all (no reply) as the reply that decides recipients.
smtp::proto::reply local_reply(std::string_view what, error const& e) {
  if (e.code == make_error_code(errc::protocol_error)) return bad_reply(e.context);
  return connection_failed(what, e);
}

}  // namespace

connection::connection(net::stream s, client_options options)
    : stream_(std::move(s)), options_(std::move(options)), parser_(options_.reply_limits),
      peer_(proto::parse_ehlo(reply{250, {}, {""}})) {}

asio::awaitable<smtp::proto::reply_or<std::unique_ptr<connection>>> connection::open(std::vector<tcp::endpoint> addresses,
                                                                                     client_options options) {
  reply last = smtp::proto::make_reply(451, "4.4.1", "no address to connect to");
  for (auto const& ep : addresses) {
    auto socket = co_await connect_one(ep, options.connect_timeout);
    if (!socket) {
      last = connect_failed(endpoint_text(ep), socket.error());
      continue;
    }
    auto c = std::make_unique<connection>(net::stream(std::move(*socket)), options);
    auto failure = co_await c->start();
    if (failure && c->tls_failed_ && options.tls == tls_policy::opportunistic) {
      // COMPAT(server): STARTTLS offered but broken: opportunistic TLS
      // falls back to plaintext on a new connection, as Postfix does.
      co_await c->quit();
      auto plain = options;
      plain.tls = tls_policy::none;
      std::vector<tcp::endpoint> same{ep};
      auto retried = co_await open(std::move(same), std::move(plain));
      if (retried) co_return std::move(*retried);
    }
    if (!failure) co_return std::move(c);
    last = std::move(*failure);
    last.lines.front() = endpoint_text(ep) + ": " + last.lines.front();
    co_await c->quit();
  }
  co_return last;
}

asio::awaitable<std::optional<smtp::proto::reply>> connection::start() {
  if (options_.tls == tls_policy::implicit) {
    if (!options_.tls_context) co_return tls_not_offered();
    auto tls = co_await stream_.start_client_tls(*options_.tls_context, options_.tls_name, true, options_.tls_timeout);
    if (!tls) co_return tls_failed(tls.error());
  }
  auto greeting = co_await read_reply(options_.greeting_timeout);
  if (!greeting) co_return local_reply("waiting for the greeting", greeting.error());
  if (greeting->code != 220) co_return *greeting;  // RFC 5321 3.1: 554 = no service here
  auto failure = co_await hello();
  if (!failure) failure = co_await start_tls();
  if (!failure) failure = co_await authenticate();
  co_return failure;
}

asio::awaitable<std::optional<smtp::proto::reply>> connection::hello() {
  auto ehlo = co_await command(proto::ehlo_command(options_.helo_name), options_.command_timeout);
  if (ehlo.code == 250) {
    peer_ = proto::parse_ehlo(ehlo);
    co_return std::nullopt;
  }
  if (!ehlo.is_permanent()) co_return ehlo;  // 4xx, or a local failure (the connection is gone)
  // RFC 5321 3.2: a server that does not know EHLO answers 5xx; HELO then.
  auto helo = co_await command(proto::helo_command(options_.helo_name), options_.command_timeout);
  if (helo.code != 250) co_return helo;
  peer_ = proto::parse_ehlo(reply{250, {}, {""}});
  co_return std::nullopt;
}

asio::awaitable<std::optional<smtp::proto::reply>> connection::start_tls() {
  bool const required = options_.tls == tls_policy::required;
  if (options_.tls == tls_policy::none || stream_.is_tls()) co_return std::nullopt;
  if (!peer_.starttls || !options_.tls_context) {
    if (required) co_return tls_not_offered();
    co_return std::nullopt;  // opportunistic: plaintext
  }
  auto go = co_await command(proto::starttls_command, options_.command_timeout);
  if (go.code != 220) {
    if (required || !usable_) co_return go;
    co_return std::nullopt;  // opportunistic: refused, so plaintext
  }
  // SECURITY: anything after the 220 came in plaintext, maybe injected.
  if (parser_.has_pending()) co_return plaintext_pending_after_starttls();
  auto tls = co_await stream_.start_client_tls(*options_.tls_context, options_.tls_name, required, options_.tls_timeout);
  if (!tls) {
    usable_ = false;
    tls_failed_ = true;
    co_return tls_failed(tls.error());
  }
  co_return co_await hello();  // RFC 3207 4.2: what EHLO said before TLS is void
}

asio::awaitable<std::optional<smtp::proto::reply>> connection::authenticate() {
  if (!options_.auth) co_return std::nullopt;
  if (!stream_.is_tls()) co_return auth_needs_tls();  // SECURITY: no password in plaintext
  auto const& mechs = peer_.auth_mechanisms;
  if (std::find(mechs.begin(), mechs.end(), "PLAIN") == mechs.end()) co_return auth_not_offered();
  std::string token;
  token.push_back('\0');
  token += options_.auth->user;
  token.push_back('\0');
  token += options_.auth->password;
  auto r = co_await command(proto::auth_plain_command(util::base64_encode(token)), options_.command_timeout);
  std::fill(token.begin(), token.end(), '\0');
  if (r.code == 235) co_return std::nullopt;
  if (r.code == 334) {  // a challenge after an initial response: not PLAIN as we know it
    co_await write("*\r\n", options_.command_timeout);
    co_return bad_reply("AUTH PLAIN challenge after the initial response");
  }
  co_return r;
}

asio::awaitable<smtp::proto::reply> connection::command(std::string_view line, duration timeout) {
  auto w = co_await write(line, timeout);
  if (!w) co_return local_reply("sending a command", w.error());
  auto r = co_await read_reply(timeout);
  if (!r) co_return local_reply("waiting for a reply", r.error());
  co_return std::move(*r);
}

asio::awaitable<result<smtp::proto::reply>> connection::read_reply(duration timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> buffer;
  for (;;) {
    auto next = parser_.next();
    if (next && *next) co_return std::move(**next);
    if (next) {
      usable_ = false;
      co_return make_error(errc::protocol_error, std::string(proto::to_string(next->error())));
    }
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= duration::zero()) {
      usable_ = false;
      co_return net::make_error(net::net_errc::timeout, "reply");
    }
    auto n = co_await stream_.read_some(buffer, left);
    if (!n) {
      usable_ = false;
      co_return n.error();
    }
    parser_.feed(std::string_view(buffer.data(), *n));
  }
}

asio::awaitable<result<void>> connection::write(std::string_view bytes, duration timeout) {
  auto w = co_await stream_.write(bytes, timeout);
  if (!w) usable_ = false;
  co_return w;
}

asio::awaitable<void> connection::quit() {
  if (usable_ && stream_.is_open()) {
    auto bye = co_await command(proto::quit_command, std::min<duration>(options_.command_timeout, std::chrono::seconds(30)));
    (void)bye;  // 221 or not, the connection ends here
  }
  usable_ = false;
  co_await stream_.shutdown(std::chrono::seconds(5));
}

}  // namespace posta::mail::smtp::client
