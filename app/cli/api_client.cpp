// The CLI's HTTP/1.1 client on Beast (synchronous, RFC 9112), with one
// timeout over connect, write and read. The only Beast user in app/cli.
#include "app/cli/api_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cctype>

namespace posta::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

error unreachable(api_url const& url, boost::system::error_code const& ec) {
  std::string reason = ec == beast::error::timeout ? "timed out" : ec.message();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return make_error(errc::unavailable, "cannot reach the API at " + url.text + ": " + reason);
}

bhttp::request<bhttp::string_body> build_request(api_url const& url, std::string const& token,
                                                 std::string_view method, std::string const& target,
                                                 std::optional<std::string> const& body) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(url.base + target);
  req.version(11);
  bool const v6 = url.host.find(':') != std::string::npos;
  req.set(bhttp::field::host, (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port);
  req.set(bhttp::field::user_agent, "posta-cli");
  req.set(bhttp::field::accept, "application/json");
  req.set(bhttp::field::authorization, "Bearer " + token);
  req.keep_alive(false);
  if (body) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = *body;
  }
  req.prepare_payload();
  return req;
}

}  // namespace

api_client::api_client(api_url url, std::string token, std::chrono::milliseconds timeout)
    : url_(std::move(url)), token_(std::move(token)), timeout_(timeout) {}

result<api_reply> api_client::call(std::string_view method, std::string const& target,
                                   std::optional<std::string> const& json_body) const {
  asio::io_context ctx;
  boost::system::error_code ec;
  auto const endpoints = asio::ip::tcp::resolver(ctx).resolve(url_.host, url_.port, ec);
  if (ec) return unreachable(url_, ec);
  beast::tcp_stream stream(ctx);
  stream.expires_after(timeout_);
  stream.connect(endpoints, ec);
  if (ec) return unreachable(url_, ec);
  auto req = build_request(url_, token_, method, target, json_body);
  bhttp::write(stream, req, ec);
  if (ec) return unreachable(url_, ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  // SECURITY: a bound on what a wrong server could make us hold in memory.
  parser.body_limit(256 * 1024 * 1024);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return unreachable(url_, ec);
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return api_reply{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

std::string api_error_message(api_reply const& reply) {
  boost::system::error_code ec;
  auto const doc = boost::json::parse(reply.body, ec);
  if (!ec && doc.is_object()) {
    auto const* err = doc.get_object().if_contains("error");
    if (err && err->is_object()) {
      auto const* msg = err->get_object().if_contains("message");
      if (msg && msg->is_string() && !msg->get_string().empty()) return std::string(msg->get_string());
    }
  }
  return "HTTP " + std::to_string(reply.status) + " from the API";
}

}  // namespace posta::cli
