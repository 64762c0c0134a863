// Name server list parsing.
#include "core/dns/servers.hpp"

#include <charconv>

namespace posta::dns {
namespace {

result<std::uint16_t> parse_port(std::string_view text, std::string_view item) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535)
    return make_error(errc::invalid_argument, "bad port in DNS server '" + std::string(item) + "'");
  return static_cast<std::uint16_t>(value);
}

result<boost::asio::ip::address> parse_ip(std::string_view text, std::string_view item) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return make_error(errc::invalid_argument, "DNS server '" + std::string(item) + "' is not an IP address");
  return a;
}

}  // namespace

result<server_address> parse_server(std::string_view item) {
  server_address out;
  std::string_view host = item;
  std::string_view port;
  if (item.starts_with('[')) {  // [v6] or [v6]:port
    auto close = item.find(']');
    if (close == std::string_view::npos) return make_error(errc::invalid_argument, "unclosed '[' in DNS server");
    host = item.substr(1, close - 1);
    auto rest = item.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      return make_error(errc::invalid_argument, "junk after ']' in DNS server '" + std::string(item) + "'");
    if (!rest.empty()) port = rest.substr(1);
  } else if (item.find(':') == item.rfind(':') && item.find(':') != std::string_view::npos) {
    host = item.substr(0, item.find(':'));  // one colon: v4:port
    port = item.substr(item.find(':') + 1);
  }
  out.address = POSTA_TRY(parse_ip(host, item));
  if (item.starts_with('[') && !out.address.is_v6())
    return make_error(errc::invalid_argument, "only IPv6 goes in brackets: '" + std::string(item) + "'");
  if (!port.empty() || item.ends_with(':')) out.port = POSTA_TRY(parse_port(port, item));
  return out;
}

result<void> validate_server_entry(std::string_view item) {
  POSTA_TRY(parse_server(item));
  return {};
}

result<std::string> servers_csv(std::span<std::string const> items) {
  std::string csv;
  for (auto const& item : items) {
    auto s = POSTA_TRY(parse_server(item));
    if (!csv.empty()) csv += ',';
    auto ip = s.address.to_string();
    csv += s.address.is_v6() ? "[" + ip + "]" : ip;
    csv += ':' + std::to_string(s.port);
  }
  return csv;
}

}  // namespace posta::dns
