// The name servers the resolver asks: items of the `dns.servers` setting,
// "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353".
#pragma once

#include "core/util/result.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace posta::dns {

struct server_address {
  boost::asio::ip::address address;
  std::uint16_t port = 53;
};

// errc::invalid_argument for anything but an IP address with an optional
// port (no host names: the resolver cannot resolve its own servers).
result<server_address> parse_server(std::string_view item);
result<void> validate_server_entry(std::string_view item);  // for settings::register_item_validator

// c-ares' server list form: "192.0.2.53:53,[2001:db8::53]:5353".
result<std::string> servers_csv(std::span<std::string const> items);

}  // namespace posta::dns
