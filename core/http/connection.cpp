// The HTTP/1.1 session loop on Beast (RFC 9112 §9.3 persistence, RFC 9110
// §10.1.1 Expect: 100-continue, §15.5.14 413, RFC 6585 §5 431), over plain
// TCP or TLS (RFC 9110 §4.3.3 https, RFC 8446). The server side of Beast.
#include "core/http/connection.hpp"

#include "core/http/target.hpp"
#include "core/util/ascii.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>

namespace posta::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using beast_request = bhttp::request<bhttp::string_body>;
using beast_response = bhttp::response<bhttp::string_body>;
using parser_t = bhttp::request_parser<bhttp::string_body>;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Stream is beast::tcp_stream (http) or tls_stream (https).
template <class Stream>
struct session {
  Stream stream;
  beast::flat_buffer buffer;
  router const& routes;
  http_limits limits;
  std::string remote;
};

std::string format_endpoint(asio::ip::tcp::socket const& socket) {
  boost::system::error_code ec;
  auto const ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  auto const addr = ep.address().to_string();
  auto const port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + addr + "]:" + port : addr + ":" + port;
}

using util::ascii_lowercase;

result<request> to_request(beast_request& msg, std::string const& remote) {
  auto target = POSTA_TRY(parse_target(msg.target()));
  request req;
  req.method = util::ascii_uppercase(msg.method_string());
  req.path = std::move(target.path);
  req.raw_path = std::move(target.raw_path);
  req.query = std::move(target.query);
  for (auto const& field : msg) {
    auto& slot = req.headers[ascii_lowercase(field.name_string())];
    slot += (slot.empty() ? "" : ", ");
    slot += field.value();
  }
  req.body = std::move(msg.body());
  req.remote_address = remote;
  return req;
}

bool is_header_safe(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos;
}

beast_response to_beast(response r, unsigned version, bool keep_alive) {
  beast_response out{static_cast<bhttp::status>(r.status), version};
  out.set(bhttp::field::server, "posta");
  bool const bodiless = r.status / 100 == 1 || r.status == 204 || r.status == 304;
  if (!bodiless) {
    out.set(bhttp::field::content_type, r.content_type);
    out.body() = std::move(r.body);
  }
  for (auto const& [name, value] : r.headers)
    // SECURITY: no response splitting, even if a handler echoes client input.
    if (is_header_safe(name) && is_header_safe(value)) out.insert(name, value);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

template <class Stream>
asio::awaitable<bool> write_response(session<Stream>& s, response r, unsigned version, bool keep_alive) {
  auto msg = to_beast(std::move(r), version, keep_alive);
  beast::get_lowest_layer(s.stream).expires_after(s.limits.request_timeout);
  auto [ec, n] = co_await bhttp::async_write(s.stream, msg, as_result);
  co_return !ec;
}

// Waits, under the idle timeout, until the next request's first bytes arrive.
template <class Stream>
asio::awaitable<bool> wait_for_request(session<Stream>& s) {
  if (s.buffer.size() > 0) co_return true;
  beast::get_lowest_layer(s.stream).expires_after(s.limits.idle_timeout);
  auto [ec, n] = co_await s.stream.async_read_some(s.buffer.prepare(4096), as_result);
  s.buffer.commit(n);
  co_return !ec && n > 0;
}

bool is_expect_continue(beast_request const& msg) {
  auto const it = msg.find(bhttp::field::expect);
  return it != msg.end() && ascii_lowercase(it->value()) == "100-continue";
}

template <class Stream>
asio::awaitable<boost::system::error_code> read_request(session<Stream>& s, parser_t& parser) {
  beast::get_lowest_layer(s.stream).expires_after(s.limits.request_timeout);
  auto [ec, n] = co_await bhttp::async_read_header(s.stream, s.buffer, parser, as_result);
  if (ec) co_return ec;
  if (is_expect_continue(parser.get()) && !parser.is_done()) {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
    auto [wec, wn] = co_await bhttp::async_write(s.stream, cont, as_result);
    if (wec) co_return wec;
  }
  auto [bec, bn] = co_await bhttp::async_read(s.stream, s.buffer, parser, as_result);
  co_return bec;
}

bool is_quiet_end(boost::system::error_code const& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
}

response answer_for_read_error(boost::system::error_code const& ec) {
  if (ec == bhttp::error::body_limit)
    return error_response(413, "payload_too_large", "request body too large");
  if (ec == bhttp::error::header_limit)
    return error_response(431, "bad_request", "request header too large");
  return error_response(400, "bad_request", "malformed HTTP request");
}

template <class Stream>
asio::awaitable<response> handle(session<Stream>& s, request const& req) {
  try {
    co_return co_await s.routes.dispatch(req);
  } catch (std::exception const&) {
    // A handler bug. SECURITY: nothing of the request (body, Authorization)
    // goes into the answer or a log line from here.
  }
  co_return error_response(500, "internal", "internal error");
}

// Half-closes, then discards what the peer still sends, within the linger
// bounds, so that it reads our last answer before the connection goes.
template <class Stream>
asio::awaitable<void> close_gracefully(session<Stream>& s) {
  boost::system::error_code ec;
  auto& tcp = beast::get_lowest_layer(s.stream);
  tcp.expires_after(s.limits.linger_timeout);
  if constexpr (std::is_same_v<Stream, tls_stream>) {
    // TLS close_notify both ways (RFC 8446 §6.1); its outcome changes nothing.
    auto [sec] = co_await s.stream.async_shutdown(as_result);
    (void)sec;
  } else {
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    std::array<char, 16 * 1024> sink{};
    for (std::size_t drained = 0; drained < s.limits.linger_bytes;) {
      auto [rec, n] = co_await tcp.async_read_some(asio::buffer(sink), as_result);
      if (rec) break;
      drained += n;
    }
  }
  tcp.socket().close(ec);
}

// Answers one fully read request; false when the connection must end.
template <class Stream>
asio::awaitable<bool> answer(session<Stream>& s, beast_request& msg) {
  bool const keep_alive = msg.keep_alive();
  unsigned const version = msg.version();
  auto req = to_request(msg, s.remote);
  if (!req) {
    co_await write_response(s, error_response(400, "bad_request", req.error().context), version, false);
    co_return false;
  }
  req->secure = std::is_same_v<Stream, tls_stream>;
  auto resp = co_await handle(s, *req);
  bool written = co_await write_response(s, std::move(resp), version, keep_alive);
  co_return written && keep_alive;
}

template <class Stream>
asio::awaitable<void> session_loop(session<Stream>& s) {
  for (;;) {
    bool arrived = co_await wait_for_request(s);
    if (!arrived) co_return;
    parser_t parser;
    // SECURITY: header and body bounds; a Content-Length over the body limit
    // fails at the header, before any of the body is read.
    parser.header_limit(static_cast<std::uint32_t>(s.limits.max_header_bytes));
    parser.body_limit(s.limits.max_body_bytes);
    auto const ec = co_await read_request(s, parser);
    if (ec && is_quiet_end(ec)) co_return;
    if (ec) {
      co_await write_response(s, answer_for_read_error(ec), 11, false);
      break;
    }
    bool keep_alive = co_await answer(s, parser.get());
    if (!keep_alive) break;
  }
  co_await close_gracefully(s);
}

template <class Stream>
asio::awaitable<void> run_session(session<Stream>& s) {
  try {
    co_await session_loop(s);
  } catch (std::exception const&) {
    // Allocation failure or a bug in Beast: end this connection only.
  }
  boost::system::error_code ec;
  beast::get_lowest_layer(s.stream).socket().close(ec);
}

beast::flat_buffer request_buffer(http_limits const& limits) {
  return beast::flat_buffer(limits.max_header_bytes + limits.max_body_bytes + 4096);
}

}  // namespace

asio::awaitable<void> serve_http_connection(asio::ip::tcp::socket socket, router const& routes,
                                            http_limits limits) {
  std::string remote = format_endpoint(socket);
  session<beast::tcp_stream> s{beast::tcp_stream(std::move(socket)), request_buffer(limits), routes, limits,
                               std::move(remote)};
  co_await run_session(s);
}

asio::awaitable<void> serve_https_connection(asio::ip::tcp::socket socket,
                                             std::shared_ptr<asio::ssl::context> tls, router const& routes,
                                             http_limits limits) {
  std::string remote = format_endpoint(socket);
  session<tls_stream> s{tls_stream(beast::tcp_stream(std::move(socket)), *tls), request_buffer(limits), routes,
                        limits, std::move(remote)};
  // SECURITY: the handshake is bounded like a request; a failed one closes
  // the connection before anything is read.
  beast::get_lowest_layer(s.stream).expires_after(limits.request_timeout);
  auto [ec] = co_await s.stream.async_handshake(asio::ssl::stream_base::server, as_result);
  if (!ec) co_await run_session(s);
  boost::system::error_code ignored;
  beast::get_lowest_layer(s.stream).socket().close(ignored);
}

}  // namespace posta::http
