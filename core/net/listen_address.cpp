// Parsing of "host:port" listener addresses: see listen_address.hpp.
#include "core/net/listen_address.hpp"

#include <charconv>
#include <string>

namespace posta::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

error bad(std::string_view text, std::string_view why) {
  return make_error(errc::invalid_argument,
                    "listen address '" + std::string(text) + "': " + std::string(why));
}

result<std::uint16_t> parse_port(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size())
    return bad(text, "port must be a number");
  if (value > 65535) return bad(text, "port must be at most 65535");
  return static_cast<std::uint16_t>(value);
}

result<asio::ip::address> parse_host(std::string_view text, std::string_view host) {
  if (host.empty() || host == "*") return asio::ip::address(asio::ip::address_v6::any());
  if (host == "localhost") return asio::ip::address(asio::ip::address_v4::loopback());
  if (host.front() == '[') {
    if (host.back() != ']') return bad(text, "missing ']'");
    boost::system::error_code ec;
    auto v6 = asio::ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), ec);
    if (ec) return bad(text, "not an IPv6 address inside [ ]");
    return asio::ip::address(v6);
  }
  boost::system::error_code ec;
  auto v4 = asio::ip::make_address_v4(std::string(host), ec);
  if (!ec) return asio::ip::address(v4);
  if (host.find(':') != std::string_view::npos) return bad(text, "write IPv6 addresses as [addr]:port");
  return bad(text, "host must be an IP address, '*' or 'localhost'");
}

}  // namespace

result<std::optional<tcp::endpoint>> parse_listen_address(std::string_view text) {
  if (text.empty() || text == "0") return std::optional<tcp::endpoint>{};
  std::size_t const colon = text.rfind(':');
  std::string_view host;
  std::string_view port = text;
  if (colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // "::1" without brackets: the last colon belongs to the address.
    if (host.find(':') != std::string_view::npos && host.front() != '[')
      return bad(text, "write IPv6 addresses as [addr]:port");
  } else if (text.find_first_not_of("0123456789") != std::string_view::npos) {
    return bad(text, "missing ':port' after the IP address");
  }
  auto p = parse_port(text, port);
  if (!p) return p.error();
  auto h = parse_host(text, host);
  if (!h) return h.error();
  return std::optional<tcp::endpoint>(tcp::endpoint(*h, *p));
}

bool is_loopback(boost::asio::ip::address const& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

}  // namespace posta::net
