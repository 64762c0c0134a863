// Parsing of listener addresses from configuration: "127.0.0.1:2525",
// "[::1]:25", "*:25", ":25", "2525"; "" or "0" switch the listener off.
#pragma once

#include "core/util/result.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string_view>

namespace posta::net {

// nullopt means "off". A wildcard host ("*", empty, or a bare port) gives the
// IPv6 unspecified address "::", which listener_set binds dual-stack (falling
// back to 0.0.0.0 without IPv6). "localhost" means 127.0.0.1; other host
// names are refused, so a listener never depends on DNS at start-up.
result<std::optional<boost::asio::ip::tcp::endpoint>> parse_listen_address(std::string_view text);

// 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (::ffff:127.0.0.1).
bool is_loopback(boost::asio::ip::address const& a);

}  // namespace posta::net
