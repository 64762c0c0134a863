// The synchronous HTTP client on Beast, plain or over TLS: see client.hpp.
#include "core/http/client.hpp"

#include "core/net/tls.hpp"
#include "core/util/ascii.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <exception>
#include <optional>

namespace posta::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

error failed(error_code const& ec) {
  std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
  if (!reason.empty()) reason[0] = util::ascii_lower(reason[0]);
  return make_error(ec, reason);
}

bhttp::request<bhttp::string_body> build(std::string const& host, std::string const& port,
                                         client_request const& r) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(r.method);
  req.target(r.target);
  req.version(11);
  bool const v6 = host.find(':') != std::string::npos;
  req.set(bhttp::field::host, (v6 ? "[" + host + "]" : host) + ":" + port);
  for (auto const& [name, value] : r.headers) req.set(name, value);
  req.keep_alive(false);
  if (r.body) req.body() = *r.body;
  req.prepare_payload();
  return req;
}

constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

// Connect, (handshake,) write, read: every step under the stream's deadline.
template <class Stream>
asio::awaitable<result<client_reply>> exchange(Stream& stream, asio::ip::tcp::resolver::results_type endpoints,
                                               bhttp::request<bhttp::string_body> req, client_options o) {
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(o.timeout);
  auto [cec, at] = co_await tcp.async_connect(endpoints, as_result);
  if (cec) co_return failed(cec);
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, as_result);
    if (hec) co_return failed(hec);
  }
  auto [wec, written] = co_await bhttp::async_write(stream, req, as_result);
  if (wec) co_return failed(wec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(o.max_body_bytes);
  auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, as_result);
  if (rec) co_return failed(rec);
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    auto [sec] = co_await stream.async_shutdown(as_result);  // close_notify; the answer is in
    (void)sec;
  }
  co_return client_reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

template <class Stream>
result<client_reply> run(asio::io_context& io, Stream& stream, asio::ip::tcp::resolver::results_type endpoints,
                         bhttp::request<bhttp::string_body> req, client_options const& o) {
  std::optional<result<client_reply>> out;
  asio::co_spawn(io, exchange(stream, std::move(endpoints), std::move(req), o),
                 [&out](std::exception_ptr e, result<client_reply> r) {
                   if (e) out = make_error(errc::internal, "HTTP client failed");
                   else out = std::move(r);
                 });
  io.run();
  return out ? std::move(*out) : make_error(errc::internal, "HTTP client did not finish");
}

}  // namespace

result<client_reply> request_blocking(std::string const& host, std::string const& port,
                                      client_request const& r, client_options const& o) {
  asio::io_context io;
  error_code ec;
  auto endpoints = asio::ip::tcp::resolver(io).resolve(host, port, ec);
  if (ec) return failed(ec);
  auto req = build(host, port, r);
  if (!o.tls) {
    beast::tcp_stream tcp(io);
    return run(io, tcp, std::move(endpoints), std::move(req), o);
  }
  auto ctx = net::make_client_tls_context(o.trusted_cert);
  if (!ctx) return ctx.error();
  beast::ssl_stream<beast::tcp_stream> tls(io, **ctx);
  if (auto named = net::expect_server_name(tls.native_handle(), host); !named) return named.error();
  return run(io, tls, std::move(endpoints), std::move(req), o);
}

}  // namespace posta::http
